// Softmax and log-softmax over any axis of a row-major tensor, in f32 whatever the storage, with
// an optional fused pre-scale and additive mask: x' = x·scale + mask (mask broadcast to x).
// Last axis (contiguous rows): a workgroup per row (max and sum of exponentials reduced in
// workgroup memory), or, for short rows, one invocation per row. Other axes (rows strided by the
// product of the later dims, no transpose): one invocation per two adjacent rows when that
// product is even (vec2 loads, so f16 pairs are read and written whole), else per row.
import { INFINITY, NAN_MINMAX, NEG_INF } from '../../wgsl/math.js';
import type { NetTensor, SoftmaxLayer } from '../network.js';
import { declareTensor, f32Literal, loaders } from './access.js';
import { KernelReason, groupGrid, outputSink, remapIndex, sameOrder, layoutStrides, tacticsOrReason, tensorOf, type OutputSink } from './convert.js';
import { broadcastStrides } from './pointwise.js';
import { workgroupReducer } from './row-reduce.js';
import type { KernelContext, LayerCompiler, Tactic } from './tactic.js';
import { elementCount, stridesOf } from '../../tensor/shape.js';

/** Rows at most this long also get the invocation-per-row tactic. */
const SHORT_ROW = 128;

/** WGSL expression of the result for input `x` given the row's max `mx` and sum `total`. */
const result = (log: boolean, x: string) => (log ? `(${x} - mx - log(total))` : `(exp(${x} - mx) / total)`);

interface Geometry {
  length: number;
  /** Element stride between consecutive row elements (product of the dims after the axis). */
  inner: number;
  rows: number;
}

/** WGSL `x_(i)` (the logit at row-major index i, scale and mask applied) and the bindings it reads. */
function logits(layer: SoftmaxLayer, input: NetTensor, mask: NetTensor | undefined): string {
  let x = 'load_in0(i)';
  if (layer.scale !== undefined) x = `${x} * ${f32Literal(layer.scale)}`;
  let decl = '';
  if (mask) {
    const to = broadcastStrides(input.shape, mask.shape, layoutStrides(mask), `softmax ${layer.name} mask`);
    x = `${x} + load_in1(${remapIndex('i', input.shape, stridesOf(input.shape), to)})`;
    decl = declareTensor(2, 'in1', mask.format.storage) + loaders('in1', mask.format.storage);
  }
  return `${declareTensor(1, 'in0', input.format.storage)}${loaders('in0', input.format.storage)}${decl}${INFINITY}${NAN_MINMAX}
fn x_(i: u32) -> f32 { return ${x}; }
fn x2_(i: u32) -> vec2<f32> { return ${layer.scale === undefined && !mask ? 'load2_in0(i)' : 'vec2<f32>(x_(i), x_(i + 1u))'}; }
`;
}

/** Statements writing contiguous row elements base + i for i = start, start + step, ... (pairs when packed). */
function writeRow(sink: OutputSink, log: boolean, length: number, start: string, step: string): string {
  if (sink.storage === 'f16x2') {
    return `for (var j = ${start}; j < ${length / 2}u; j += ${step}) {
    let x = x2_(base + 2u * j);
    write_pair(base + 2u * j, ${result(log, 'x')});
  }`;
  }
  return `for (var i = ${start}; i < ${length}u; i += ${step}) {
    let x = x_(base + i);
    write_one(base + i, ${result(log, 'x')});
  }`;
}

function program(wgsl: string, sink: OutputSink, layer: SoftmaxLayer, workgroups: [number, number, number]) {
  return { wgsl, bindings: [sink.binding, { tensor: layer.input }, ...(layer.mask ? [{ tensor: layer.mask }] : [])], workgroups };
}

function workgroupTactic(layer: SoftmaxLayer, ctx: KernelContext, head: string, out: NetTensor, g: Geometry, wg: number): Tactic {
  const { length, rows } = g;
  const sink = outputSink(ctx, out);
  const grid = groupGrid(rows, ctx.caps);
  const wgsl = `${sink.wgsl}${head}${workgroupReducer(wg, { max: (a, b) => `nmax_(${a}, ${b})`, sum: (a, b) => `${a} + ${b}` })}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = ${grid.group};
  if (row >= ${rows}u) { return; }
  let base = row * ${length}u;
  var m = ${NEG_INF};
  for (var i = lid; i < ${length}u; i += ${wg}u) { m = nmax_(m, x_(base + i)); }
  let mx = wg_max_(lid, m);
  var sum = 0.0;
  for (var i = lid; i < ${length}u; i += ${wg}u) { sum += exp(x_(base + i) - mx); }
  let total = wg_sum_(lid, sum);
  ${writeRow(sink, layer.log, length, 'lid', `${wg}u`)}
}
`;
  return { name: `softmax-wg${wg}`, programs: [program(wgsl, sink, layer, grid.workgroups)], constants: [], scratch: [] };
}

function rowTactic(layer: SoftmaxLayer, ctx: KernelContext, head: string, out: NetTensor, g: Geometry): Tactic {
  const { length, rows } = g;
  const wg = 64;
  const sink = outputSink(ctx, out);
  const grid = groupGrid(Math.ceil(rows / wg), ctx.caps);
  const wgsl = `${sink.wgsl}${head}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = ${grid.group} * ${wg}u + lid;
  if (row >= ${rows}u) { return; }
  let base = row * ${length}u;
  var mx = ${NEG_INF};
  for (var i = 0u; i < ${length}u; i++) { mx = nmax_(mx, x_(base + i)); }
  var total = 0.0;
  for (var i = 0u; i < ${length}u; i++) { total += exp(x_(base + i) - mx); }
  ${writeRow(sink, layer.log, length, '0u', '1u')}
}
`;
  return { name: 'softmax-row', programs: [program(wgsl, sink, layer, grid.workgroups)], constants: [], scratch: [] };
}

/** Rows strided by `inner`: an invocation per pair of adjacent rows (inner even) or per row. */
function stridedTactic(layer: SoftmaxLayer, ctx: KernelContext, head: string, out: NetTensor, g: Geometry): Tactic {
  const { length, inner, rows } = g;
  const paired = inner % 2 === 0;
  const sink = outputSink(ctx, out);
  if (!paired && sink.storage === 'f16x2') throw new KernelReason(`softmax ${layer.name}: odd strided rows cannot be written as f16 pairs`);
  const wg = 64;
  const units = paired ? rows / 2 : rows;
  const grid = groupGrid(Math.ceil(units / wg), ctx.caps);
  const t = paired ? 'vec2<f32>' : 'f32';
  const load = paired ? 'x2_' : 'x_';
  const mx = paired ? 'nmax2_' : 'nmax_';
  const store = paired ? 'write_pair(at, r);' : 'write_one(at, r);';
  const wgsl = `${sink.wgsl}${head}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let unit = ${grid.group} * ${wg}u + lid;
  if (unit >= ${units}u) { return; }
  let row = unit${paired ? ' * 2u' : ''};
  let base = (row / ${inner}u) * ${length * inner}u + row % ${inner}u;
  var mx = ${t}(${NEG_INF});
  for (var k = 0u; k < ${length}u; k++) { mx = ${mx}(mx, ${load}(base + k * ${inner}u)); }
  var total = ${t}(0.0);
  for (var k = 0u; k < ${length}u; k++) { total += exp(${load}(base + k * ${inner}u) - mx); }
  for (var k = 0u; k < ${length}u; k++) {
    let at = base + k * ${inner}u;
    let x = ${load}(at);
    let r = ${result(layer.log, 'x')};
    ${store}
  }
}
`;
  return { name: paired ? 'softmax-strided-pairs' : 'softmax-strided', programs: [program(wgsl, sink, layer, grid.workgroups)], constants: [], scratch: [] };
}

export const compileSoftmax: LayerCompiler<SoftmaxLayer> = (layer, ctx) =>
  tacticsOrReason(() => {
    const input = tensorOf(ctx, layer.input, layer.name);
    const out = tensorOf(ctx, layer.output, layer.name);
    const mask = layer.mask !== undefined ? tensorOf(ctx, layer.mask, layer.name) : undefined;
    const shape = input.shape;
    const sameShape = shape.length === out.shape.length && shape.every((d, k) => d === out.shape[k]);
    if (!sameShape || shape.length === 0) throw new KernelReason(`softmax ${layer.name}: input and output shapes differ`);
    for (const t of [input, out]) {
      if (!sameOrder(t.shape, layoutStrides(t), stridesOf(t.shape))) {
        throw new KernelReason(`softmax ${layer.name}: ${t.name} is not row-major (layout ${t.format.layout}); convert it first`);
      }
    }
    const axis = layer.axis ?? shape.length - 1;
    const length = shape[axis]!;
    const inner = elementCount(shape.slice(axis + 1));
    const g: Geometry = { length, inner, rows: elementCount(shape) / length };
    const head = logits(layer, input, mask);
    if (inner > 1) return [stridedTactic(layer, ctx, head, out, g)];
    const tactics = [workgroupTactic(layer, ctx, head, out, g, 64), workgroupTactic(layer, ctx, head, out, g, 256)];
    if (length <= SHORT_ROW) tactics.push(rowTactic(layer, ctx, head, out, g));
    return tactics;
  });
