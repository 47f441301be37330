// Concat. In place (the concat pass made every producer write into the output): nothing to run.
// Otherwise two tactics: one copy program per input, walking that input's box of the output in
// the output's physical order (coalesced writes); or one gather program over the whole output
// that picks the input per element (one dispatch, and the only way when a packed f16 pair of the
// output straddles two inputs).
import type { ConcatLayer, NetTensor } from '../network.js';
import { PLAIN_F32 } from '../network.js';
import { constOperandIndex, isConstOperand } from '../passes/pw-expr.js';
import { declareConstant, declareTensor, encodeStorage, loaders } from './access.js';
import { KernelReason, elementProgram, groupGrid, mappedSource, outputSink, physicalStrides, remapIndex, layoutStrides, tacticsOrReason, tensorOf } from './convert.js';
import type { EngineBinding, KernelContext, LayerCompiler, Tactic } from './tactic.js';

/** A concat operand: a network tensor, or a constant (f32, row-major) in the tactic's constants. */
interface Part {
  t: NetTensor;
  binding: EngineBinding;
}

/** Inputs bound together by the gather program (the output takes one more binding). */
const GATHER_MAX_INPUTS = 7;

function copyPerInput(ctx: KernelContext, parts: Part[], out: NetTensor, axis: number, constants: Uint8Array[]): Tactic {
  let offset = 0;
  const programs = parts.map(({ t: input, binding }) => {
    // the input's box, enumerated in the order the output's layout stores it
    const from = physicalStrides(input.shape, out.format.layout);
    const offsets = out.shape.map((_, k) => (k === axis ? offset : 0));
    offset += input.shape[axis]!;
    const sink = outputSink(ctx, out, { dims: input.shape, from, offsets });
    const src = mappedSource(binding, input.format.storage, input.shape, from, layoutStrides(input));
    return elementProgram({ sink, sources: [src], compute: (v) => ({ lines: [], result: v[0]! }), pairsPerInvocation: 1, workgroup: 256, caps: ctx.caps });
  });
  return { name: 'copy-per-input', programs, constants, scratch: [] };
}

function gather(ctx: KernelContext, parts: Part[], out: NetTensor, axis: number, constants: Uint8Array[]): Tactic {
  const inputs = parts.map((p) => p.t);
  const sink = outputSink(ctx, out);
  const outStrides = layoutStrides(out);
  const coord = `((q / ${outStrides[axis]}u) % ${out.shape[axis]}u)`;
  let offset = 0;
  const picks = inputs.map((input, i) => {
    const start = offset;
    offset += input.shape[axis]!;
    const to = layoutStrides(input);
    // the output coordinate along the axis is start + the input's: subtract start·stride
    const index = `${remapIndex('q', out.shape, outStrides, to)} - ${start * to[axis]!}u`;
    const last = i === inputs.length - 1;
    const load = `load_in${i}(${index})`;
    const declare = 'constant' in parts[i]!.binding ? declareConstant : declareTensor;
    const decl = declare(i + 1, `in${i}`, input.format.storage) + loaders(`in${i}`, input.format.storage);
    return { decl, line: last ? `  return ${load};` : `  if (a < ${offset}u) { return ${load}; }` };
  });
  const pairs = Math.ceil(sink.count / 2);
  const wg = 256;
  const grid = groupGrid(Math.ceil(pairs / wg), ctx.caps);
  const wgsl = `${sink.wgsl}${picks.map((p) => p.decl).join('')}
fn pick_(q: u32) -> f32 {
  let a = ${coord};
${picks.map((p) => p.line).join('\n')}
}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let pair = ${grid.group} * ${wg}u + lid;
  if (pair >= ${pairs}u) { return; }
  let q = pair * 2u;
  write_pair(q, vec2<f32>(pick_(q), pick_(q + 1u)));
}
`;
  return {
    name: 'gather',
    programs: [{ wgsl, bindings: [sink.binding, ...parts.map((p) => p.binding)], workgroups: grid.workgroups }],
    constants, scratch: [],
  };
}

export const compileConcat: LayerCompiler<ConcatLayer> = (layer, ctx) =>
  tacticsOrReason(() => {
    if (layer.inPlace) return [{ name: 'in-place', programs: [], constants: [], scratch: [] }];
    const out = tensorOf(ctx, layer.output, layer.name);
    const constants: Uint8Array[] = [];
    const parts = layer.inputs.map((n): Part => {
      if (!isConstOperand(n)) return { t: tensorOf(ctx, n, layer.name), binding: { tensor: n } };
      const c = layer.constants?.[constOperandIndex(n)];
      if (!c) throw new KernelReason(`concat ${layer.name}: constant operand ${n} has no values`);
      constants.push(encodeStorage(c.values, 'f32'));
      return { t: { name: `${layer.name}/${n}`, shape: c.shape, format: { ...PLAIN_F32 } }, binding: { constant: constants.length - 1 } };
    });
    const inputs = parts.map((p) => p.t);
    const rank = out.shape.length;
    const axis = layer.axis < 0 ? layer.axis + rank : layer.axis;
    if (axis < 0 || axis >= rank) throw new KernelReason(`concat ${layer.name}: axis ${layer.axis} is outside rank ${rank}`);
    let total = 0;
    for (const t of inputs) {
      const fits = t.shape.length === rank && t.shape.every((d, k) => k === axis || d === out.shape[k]);
      if (!fits) throw new KernelReason(`concat ${layer.name}: input ${t.name} [${t.shape.join(', ')}] does not fit output [${out.shape.join(', ')}] on axis ${axis}`);
      total += t.shape[axis]!;
    }
    if (total !== out.shape[axis]) throw new KernelReason(`concat ${layer.name}: inputs add up to ${total} along axis ${axis}, output has ${out.shape[axis]}`);
    const tactics: Tactic[] = [];
    const reasons: string[] = [];
    const attempt = (make: () => Tactic) => {
      try {
        tactics.push(make());
      } catch (e) {
        if (!(e instanceof KernelReason)) throw e;
        reasons.push(e.message);
      }
    };
    attempt(() => copyPerInput(ctx, parts, out, axis, constants));
    if (inputs.length <= GATHER_MAX_INPUTS) attempt(() => gather(ctx, parts, out, axis, constants));
    else reasons.push(`gather binds at most ${GATHER_MAX_INPUTS} inputs`);
    if (!tactics.length) throw new KernelReason(`concat ${layer.name}: ${reasons.join('; ')}`);
    return tactics;
  });
