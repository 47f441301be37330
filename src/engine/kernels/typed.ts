// Typed elementwise layers (layers/typed.ts): one ONNX op over operands broadcast to the output,
// each read in its own WGSL type (vec2<i32> for i32 storage, vec2<f32> for float storage of any
// kind) and the result written in the output's. Bool is i32 0/1 in and out.
import type { NetDType, NetTensor, TypedLayer } from '../network.js';
import { isFloatTensor } from '../network.js';
import { constOperandIndex, isConstOperand } from '../passes/pw-expr.js';
import { KernelReason, elementProgram, elementTactics, layoutStrides, mappedSource, outputSink, tacticsOrReason, tensorOf, type ElementSource } from './convert.js';
import { broadcastStrides } from './pointwise.js';
import type { KernelContext, LayerCompiler } from './tactic.js';
import { stridesOf } from '../../tensor/shape.js';

const ZERO_ONE = 'vec2<i32>(0), vec2<i32>(1)';
const bool = (cond: string) => `select(${ZERO_ONE}, ${cond})`;
const COMPARE: Record<string, string> = { Equal: '==', Less: '<', Greater: '>', LessOrEqual: '<=', GreaterOrEqual: '>=' };
const INT_ARITH: Record<string, string> = { Add: '+', Sub: '-', Mul: '*', And: '&', Or: '|', Xor: '^' };

/** The WGSL vec2 expression of the layer's op over operand pairs `v` of types `types`. */
function expression(l: TypedLayer, v: string[], types: NetDType[], out: NetDType): string {
  const [a, b, c] = v as [string, string, string];
  if (l.op in COMPARE) return bool(`${a} ${COMPARE[l.op]} ${b}`);
  if (l.op in INT_ARITH) return `${a} ${INT_ARITH[l.op]} ${b}`;
  switch (l.op) {
    case 'Not': return `vec2<i32>(1) - ${a}`;
    case 'Where': return `select(${c}, ${b}, ${a} != vec2<i32>(0))`;
    case 'Cast': {
      const from = types[0]!;
      if (out === 'bool') return bool(`${a} != vec2<${from === 'float32' ? 'f32' : 'i32'}>(0)`); // NaN is true, as ONNX says
      if (out === 'float32') return `vec2<f32>(${a})`;
      return from === 'float32' ? `vec2<i32>(${a})` : a; // f32 → i32 truncates toward zero
    }
  }
  throw new KernelReason(`typed layer ${l.name}: op ${l.op} has no kernel`);
}

function compile(l: TypedLayer, ctx: KernelContext) {
  const out = tensorOf(ctx, l.output, l.name);
  const outStrides = layoutStrides(out);
  const constants: Uint8Array[] = [];
  const types: NetDType[] = [];
  const sources: ElementSource[] = l.inputs.map((name) => {
    if (isConstOperand(name)) {
      const c = l.constants?.[constOperandIndex(name)];
      if (!c) throw new KernelReason(`typed layer ${l.name}: ${name} is not among its constants`);
      types.push(c.dtype);
      const to = broadcastStrides(out.shape, c.shape, stridesOf(c.shape), `${l.name} ${name}`);
      const storage = c.dtype === 'float32' ? 'f32' : 'i32';
      constants.push(new Uint8Array(c.dtype === 'float32' ? Float32Array.from(c.values).buffer : Int32Array.from(c.values).buffer));
      return mappedSource({ constant: constants.length - 1 }, storage, out.shape, outStrides, to);
    }
    const t: NetTensor = tensorOf(ctx, name, l.name);
    if (!isFloatTensor(t) && t.format.storage !== 'i32') throw new KernelReason(`typed layer ${l.name}: ${name} is ${t.dtype} but stored ${t.format.storage}`);
    types.push(t.dtype ?? 'float32');
    return mappedSource({ tensor: name }, t.format.storage, out.shape, outStrides, broadcastStrides(out.shape, t.shape, layoutStrides(t), `${l.name} input ${name}`));
  });
  const outType = out.dtype ?? 'float32';
  if ((outType === 'float32') === (out.format.storage === 'i32')) throw new KernelReason(`typed layer ${l.name}: a ${outType} output stored ${out.format.storage}`);
  return elementTactics('typed', (per, wg) => ({
    programs: [elementProgram({
      sink: outputSink(ctx, out), sources, pairsPerInvocation: per, workgroup: wg, caps: ctx.caps,
      compute: (vals) => ({ lines: [], result: expression(l, vals, types, outType) }),
    })],
    constants,
    scratch: [],
  }));
}

export const compileTyped: LayerCompiler<TypedLayer> = (layer, ctx) => tacticsOrReason(() => compile(layer, ctx));
