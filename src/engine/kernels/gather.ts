// Gather layers (layers/gather.ts): output element q (row-major) = data[outer, index[j], inner]
// with (outer, j, inner) the coordinates of q around the indices' block. Indices are i32; a
// negative index counts from the end; an index outside the axis reads the nearest row (ONNX calls
// it an error, which a kernel cannot raise: it must not read outside the table). Data and output
// are row-major (the kind is rowMajor) in any storage; values keep their type (f32 loads for
// floats, i32 for integers and bool).
import type { GatherLayer } from '../network.js';
import { declareConstant, declareTensor, loaders, wgslValue } from './access.js';
import { constOperandIndex, isConstOperand } from '../passes/pw-expr.js';
import { KernelReason, groupGrid, outputSink, tacticsOrReason, tensorOf } from './convert.js';
import type { EngineBinding, KernelContext, LayerCompiler, Tactic } from './tactic.js';
import type { Storage } from '../network.js';
import { elementCount } from '../../tensor/shape.js';

interface Operand {
  binding: EngineBinding;
  storage: Storage;
  shape: readonly number[];
  wgsl: (binding: number, name: string) => string;
}

function compile(l: GatherLayer, ctx: KernelContext): Tactic[] {
  const constants: Uint8Array[] = [];
  const operand = (name: string): Operand => {
    if (isConstOperand(name)) {
      const c = l.constants?.[constOperandIndex(name)];
      if (!c) throw new KernelReason(`gather ${l.name}: ${name} is not among its constants`);
      const storage: Storage = c.dtype === 'float32' ? 'f32' : 'i32';
      constants.push(new Uint8Array((c.dtype === 'float32' ? Float32Array.from(c.values) : Int32Array.from(c.values)).buffer));
      const binding = { constant: constants.length - 1 };
      return { binding, storage, shape: c.shape, wgsl: (b, n) => declareConstant(b, n, storage) + loaders(n, storage) };
    }
    const t = tensorOf(ctx, name, l.name);
    if (t.format.layout === 'nhwc') throw new KernelReason(`gather ${l.name}: ${name} is NHWC; the kernel reads row-major data`);
    return { binding: { tensor: name }, storage: t.format.storage, shape: t.shape, wgsl: (b, n) => declareTensor(b, n, t.format.storage) + loaders(n, t.format.storage) };
  };
  const data = operand(l.data);
  const indices = operand(l.indices);
  if (indices.storage !== 'i32') throw new KernelReason(`gather ${l.name}: indices stored ${indices.storage}, not i32`);
  const out = tensorOf(ctx, l.output, l.name);
  if (out.format.layout === 'nhwc') throw new KernelReason(`gather ${l.name}: the output is NHWC; the kernel writes row-major data`);
  if ((data.storage === 'i32') !== (out.format.storage === 'i32')) throw new KernelReason(`gather ${l.name}: data stored ${data.storage} but output ${out.format.storage}`);
  const dim = data.shape[l.axis]!;
  const inner = elementCount(data.shape.slice(l.axis + 1));
  const block = elementCount(indices.shape) * inner;
  const count = elementCount(out.shape);
  if (count !== elementCount(data.shape.slice(0, l.axis)) * block) throw new KernelReason(`gather ${l.name}: output [${out.shape}] does not fit data [${data.shape}] and indices [${indices.shape}]`);
  const T = wgslValue(out.format.storage);
  const sink = outputSink(ctx, out);
  const pairs = Math.ceil(count / 2);
  const make = (wg: number): Tactic => {
    const grid = groupGrid(Math.ceil(pairs / wg), ctx.caps);
    const wgsl = `${sink.wgsl}${data.wgsl(1, 'data')}${indices.wgsl(2, 'idx')}
fn elem_(q: u32) -> ${T} {
  let outer = q / ${block}u;
  let r = q % ${block}u;
  var i = load_idx(r / ${inner}u);
  if (i < 0) { i = i + ${dim}; }
  let row = u32(clamp(i, 0, ${dim - 1}));
  return load_data((outer * ${dim}u + row) * ${inner}u + r % ${inner}u);
}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let pair = ${grid.group} * ${wg}u + lid;
  if (pair >= ${pairs}u) { return; }
  let q = pair * 2u;
  write_pair(q, vec2<${T}>(elem_(q), elem_(min(q + 1u, ${count - 1}u))));
}
`;
    return { name: `gather-wg${wg}`, programs: [{ wgsl, bindings: [sink.binding, data.binding, indices.binding], workgroups: grid.workgroups }], constants, scratch: [] };
  };
  return [make(64), make(256)];
}

export const compileGather: LayerCompiler<GatherLayer> = (layer, ctx) => tacticsOrReason(() => compile(layer, ctx));
