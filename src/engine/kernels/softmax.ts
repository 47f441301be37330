// Softmax and log-softmax over the last axis of a row-major tensor, in f32 whatever the storage:
// a workgroup per row (max and sum of exponentials reduced in workgroup memory), or, for short
// rows, one invocation per row.
import { INFINITY, NAN_MINMAX, NEG_INF } from '../../wgsl/math.js';
import type { NetTensor, SoftmaxLayer } from '../network.js';
import { declareTensor, loaders } from './access.js';
import { KernelReason, groupGrid, outputSink, sameOrder, layoutStrides, tacticsOrReason, tensorOf, type OutputSink } from './convert.js';
import type { KernelContext, LayerCompiler, Tactic } from './tactic.js';
import { elementCount, stridesOf } from '../../tensor/shape.js';

/** Rows at most this long also get the invocation-per-row tactic. */
const SHORT_ROW = 128;

/** WGSL expression of the result for input `x` given the row's max `mx` and sum `total`. */
const result = (log: boolean, x: string) => (log ? `(${x} - mx - log(total))` : `(exp(${x} - mx) / total)`);

/** Statements writing row elements base + i for i = start, start + step, ... (pairs when packed). */
function writeRow(sink: OutputSink, log: boolean, length: number, start: string, step: string): string {
  if (sink.storage === 'f16x2') {
    return `for (var j = ${start}; j < ${length / 2}u; j += ${step}) {
    let x = load2_in0(base + 2u * j);
    write_pair(base + 2u * j, ${result(log, 'x')});
  }`;
  }
  return `for (var i = ${start}; i < ${length}u; i += ${step}) {
    let x = load_in0(base + i);
    write_one(base + i, ${result(log, 'x')});
  }`;
}

function header(sink: OutputSink, input: NetTensor): string {
  return `${sink.wgsl}${declareTensor(1, 'in0', input.format.storage)}${loaders('in0', input.format.storage)}${INFINITY}${NAN_MINMAX}`;
}

function workgroupTactic(layer: SoftmaxLayer, ctx: KernelContext, input: NetTensor, out: NetTensor, wg: number): Tactic {
  const length = input.shape[input.shape.length - 1]!;
  const rows = elementCount(input.shape) / length;
  const sink = outputSink(ctx, out);
  const grid = groupGrid(rows, ctx.caps);
  const reduce = (op: (a: string, b: string) => string) => `for (var s = ${wg / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] = ${op('red[lid]', 'red[lid + s]')}; }
    workgroupBarrier();
  }`;
  const wgsl = `${header(sink, input)}
var<workgroup> red: array<f32, ${wg}>;
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = ${grid.group};
  if (row >= ${rows}u) { return; }
  let base = row * ${length}u;
  var m = ${NEG_INF};
  for (var i = lid; i < ${length}u; i += ${wg}u) { m = nmax_(m, load_in0(base + i)); }
  red[lid] = m;
  workgroupBarrier();
  ${reduce((a, b) => `nmax_(${a}, ${b})`)}
  let mx = red[0];
  workgroupBarrier();
  var sum = 0.0;
  for (var i = lid; i < ${length}u; i += ${wg}u) { sum += exp(load_in0(base + i) - mx); }
  red[lid] = sum;
  workgroupBarrier();
  ${reduce((a, b) => `${a} + ${b}`)}
  let total = red[0];
  ${writeRow(sink, layer.log, length, 'lid', `${wg}u`)}
}
`;
  return { name: `softmax-wg${wg}`, programs: [{ wgsl, bindings: [sink.binding, { tensor: input.name }], workgroups: grid.workgroups }], constants: [], scratch: [] };
}

function rowTactic(layer: SoftmaxLayer, ctx: KernelContext, input: NetTensor, out: NetTensor): Tactic {
  const length = input.shape[input.shape.length - 1]!;
  const rows = elementCount(input.shape) / length;
  const wg = 64;
  const sink = outputSink(ctx, out);
  const grid = groupGrid(Math.ceil(rows / wg), ctx.caps);
  const wgsl = `${header(sink, input)}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = ${grid.group} * ${wg}u + lid;
  if (row >= ${rows}u) { return; }
  let base = row * ${length}u;
  var mx = ${NEG_INF};
  for (var i = 0u; i < ${length}u; i++) { mx = nmax_(mx, load_in0(base + i)); }
  var total = 0.0;
  for (var i = 0u; i < ${length}u; i++) { total += exp(load_in0(base + i) - mx); }
  ${writeRow(sink, layer.log, length, '0u', '1u')}
}
`;
  return { name: 'softmax-row', programs: [{ wgsl, bindings: [sink.binding, { tensor: input.name }], workgroups: grid.workgroups }], constants: [], scratch: [] };
}

export const compileSoftmax: LayerCompiler<SoftmaxLayer> = (layer, ctx) =>
  tacticsOrReason(() => {
    const input = tensorOf(ctx, layer.input, layer.name);
    const out = tensorOf(ctx, layer.output, layer.name);
    const shape = input.shape;
    const sameShape = shape.length === out.shape.length && shape.every((d, k) => d === out.shape[k]);
    if (!sameShape || shape.length === 0) throw new KernelReason(`softmax ${layer.name}: input and output shapes differ`);
    for (const t of [input, out]) {
      if (!sameOrder(t.shape, layoutStrides(t), stridesOf(t.shape))) {
        throw new KernelReason(`softmax ${layer.name}: ${t.name} is not row-major (layout ${t.format.layout}); convert it first`);
      }
    }
    const tactics = [workgroupTactic(layer, ctx, input, out, 64), workgroupTactic(layer, ctx, input, out, 256)];
    if (shape[shape.length - 1]! <= SHORT_ROW) tactics.push(rowTactic(layer, ctx, input, out));
    return tactics;
  });
