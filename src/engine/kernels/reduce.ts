// Reductions over any set of axes of a tensor (input in any layout, row-major output): each output
// element folds the elements of the reduced sub-space, found by strides (no transpose). Two
// tactics: an invocation per output pair with a serial loop (short reductions), and a workgroup
// per output pair sharing the loop and combining partials in workgroup memory (long ones).
// Accumulation is f32 whatever the storage; f16 outputs are written as whole pairs.
import { INFINITY, NAN_MINMAX, NEG_INF } from '../../wgsl/math.js';
import type { ReduceFn, ReduceLayer } from '../layers/reduce.js';
import { declareTensor, loaders } from './access.js';
import { KernelReason, groupGrid, layoutStrides, outputSink, remapIndex, sameOrder, tacticsOrReason, tensorOf } from './convert.js';
import { ROW_WORKGROUPS, workgroupReducer } from './row-reduce.js';
import type { KernelContext, LayerCompiler, Tactic } from './tactic.js';
import { elementCount, stridesOf } from '../../tensor/shape.js';

interface Fold {
  init: string;
  step: (acc: string, v: string) => string;
  combine: (a: string, b: string) => string;
  final: (acc: string, count: number) => string;
}

const add = (a: string, b: string) => `${a} + ${b}`;
const sumOf = (term: (v: string) => string, final: Fold['final'] = (a) => a): Fold => ({ init: '0.0', step: (a, v) => `${a} + ${term(v)}`, combine: add, final });

const FOLDS: Record<ReduceFn, Fold> = {
  sum: sumOf((v) => v),
  mean: sumOf((v) => v, (a, n) => `${a} / ${n}.0`),
  max: { init: NEG_INF, step: (a, v) => `nmax_(${a}, ${v})`, combine: (a, b) => `nmax_(${a}, ${b})`, final: (a) => a },
  min: { init: `bitcast<f32>(INF_BITS)`, step: (a, v) => `nmin_(${a}, ${v})`, combine: (a, b) => `nmin_(${a}, ${b})`, final: (a) => a },
  prod: { init: '1.0', step: (a, v) => `${a} * ${v}`, combine: (a, b) => `${a} * ${b}`, final: (a) => a },
  l1: sumOf((v) => `abs(${v})`),
  l2: sumOf((v) => `${v} * ${v}`, (a) => `sqrt(${a})`),
  sumsquare: sumOf((v) => `${v} * ${v}`),
  logsum: sumOf((v) => v, (a) => `log(${a})`),
};

/** Reductions at least this long get the workgroup tactic too. */
const LONG = 64;

function tactic(layer: ReduceLayer, ctx: KernelContext, wg: number | undefined): Tactic {
  const input = tensorOf(ctx, layer.input, layer.name);
  const out = tensorOf(ctx, layer.output, layer.name);
  const fold = FOLDS[layer.fn];
  const shape = input.shape;
  const strides = layoutStrides(input);
  const kept = shape.map((_, k) => k).filter((k) => !layer.axes.includes(k));
  const keptDims = kept.map((k) => shape[k]!);
  const redDims = layer.axes.map((k) => shape[k]!);
  const count = elementCount(redDims);
  const outputs = elementCount(keptDims);
  if (outputs !== elementCount(out.shape)) throw new KernelReason(`reduce ${layer.name}: ${outputs} kept elements for an output of ${elementCount(out.shape)}`);
  const baseOf = remapIndex('q', keptDims, stridesOf(keptDims), kept.map((k) => strides[k]!));
  const offsetOf = remapIndex('r', redDims, stridesOf(redDims), layer.axes.map((k) => strides[k]!));
  const sink = outputSink(ctx, out);
  const pairs = Math.ceil(outputs / 2);
  const lanes = wg ?? 64;
  const grid = groupGrid(wg ? pairs : Math.ceil(pairs / lanes), ctx.caps);
  const [start, step] = wg ? ['lid', `${wg}u`] : ['0u', '1u'];
  const finals = (a: string) => fold.final(a, count);
  const body = wg
    ? `let pair = ${grid.group};
  if (pair >= ${pairs}u) { return; }
  let acc = partial_(pair * 2u, lid);
  let r0 = wg_fold_(lid, acc.x);
  let r1 = wg_fold_(lid, acc.y);
  if (lid == 0u) { write_pair(pair * 2u, vec2<f32>(${finals('r0')}, ${finals('r1')})); }`
    : `let pair = ${grid.group} * ${lanes}u + lid;
  if (pair >= ${pairs}u) { return; }
  let acc = partial_(pair * 2u, 0u);
  write_pair(pair * 2u, vec2<f32>(${finals('acc.x')}, ${finals('acc.y')}));`;
  const wgsl = `${sink.wgsl}${declareTensor(1, 'in0', input.format.storage)}${loaders('in0', input.format.storage)}${INFINITY}${NAN_MINMAX}
${wg ? workgroupReducer(wg, { fold: fold.combine }) : ''}
fn base_(q: u32) -> u32 { return ${baseOf}; }
// partial folds of outputs q and q + 1 (the latter only when it exists) over reduced indices start, start + step, ...
fn partial_(q: u32, start: u32) -> vec2<f32> {
  let b0 = base_(q);
  let has1 = q + 1u < ${outputs}u;
  let b1 = select(b0, base_(q + 1u), has1);
  var a0 = ${fold.init};
  var a1 = ${fold.init};
  for (var r = start; r < ${count}u; r += ${step}) {
    let o = ${offsetOf};
    a0 = ${fold.step('a0', 'load_in0(b0 + o)')};
    a1 = ${fold.step('a1', 'load_in0(b1 + o)')};
  }
  return vec2<f32>(a0, a1);
}
@compute @workgroup_size(${lanes})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  ${body}
}
`;
  return { name: wg ? `reduce-wg${wg}` : 'reduce-serial', programs: [{ wgsl, bindings: [sink.binding, { tensor: input.name }], workgroups: grid.workgroups }], constants: [], scratch: [] };
}

export const compileReduce: LayerCompiler<ReduceLayer> = (layer, ctx) =>
  tacticsOrReason(() => {
    const out = tensorOf(ctx, layer.output, layer.name);
    if (!sameOrder(out.shape, layoutStrides(out), stridesOf(out.shape))) throw new KernelReason(`reduce ${layer.name}: output ${out.name} is not row-major`);
    const count = elementCount(layer.axes.map((k) => tensorOf(ctx, layer.input, layer.name).shape[k]!));
    const tactics = [tactic(layer, ctx, undefined)];
    if (count >= LONG) tactics.push(...ROW_WORKGROUPS.map((wg) => tactic(layer, ctx, wg)));
    return tactics;
  });
