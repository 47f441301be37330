// The reduction shader: one workgroup per output element; its 64 invocations stride over the
// reduced elements (any set of axes, addressed through the input's strides) and combine their
// partial results in workgroup memory. Used by the Reduce* ops and the global pools. LogSumExp
// makes two such passes over its elements: the maximum first, then the shifted sum; the
// mean-variance normalization makes two (mean, centred variance) and then writes its block.
import type { TensorType } from '../../tensor/tensor-type.js';
import { narrow } from './elementwise.js';
import { INFINITY, NAN_MINMAX, NEG_INF, POS_INF } from '../../wgsl/math.js';
import type { Program } from './program.js';
import { coordsOf, linearDispatch, storage, Uniforms } from './shader.js';
import { stridesOf } from '../../tensor/shape.js';

const WG = 64;

/** How each reduction maps elements, combines them, and finishes (`n` is the reduced count). */
export const REDUCERS = {
  sum: { init: '0.0', map: 'v', combine: 'a + b', finish: 'a' },
  mean: { init: '0.0', map: 'v', combine: 'a + b', finish: 'a / f32(n)' },
  max: { init: NEG_INF, map: 'v', combine: 'nmax_(a, b)', finish: 'a' },
  min: { init: POS_INF, map: 'v', combine: 'nmin_(a, b)', finish: 'a' },
  prod: { init: '1.0', map: 'v', combine: 'a * b', finish: 'a' },
  l1: { init: '0.0', map: 'abs(v)', combine: 'a + b', finish: 'a' },
  l2: { init: '0.0', map: 'v * v', combine: 'a + b', finish: 'sqrt(a)' },
  sumSquare: { init: '0.0', map: 'v * v', combine: 'a + b', finish: 'a' },
  logSum: { init: '0.0', map: 'v', combine: 'a + b', finish: 'log(a)' },
  // shifted by the maximum m (found in a first pass) so that exp cannot overflow; m is 0 when
  // the maximum is not finite (all −inf or empty: log 0 = −inf; +inf or NaN propagate)
  logSumExp: { init: '0.0', map: 'exp(v - m)', combine: 'a + b', finish: 'm + log(a)' },
} as const;
export type Reducer = keyof typeof REDUCERS;

/** What both shaders share: one workgroup per kept index, walking its block of reduced elements. */
function blocks(shape: readonly number[], axes: readonly number[]) {
  const strides = stridesOf(shape);
  const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const red = [...axes].sort((a, b) => a - b);
  const outSize = kept.reduce((p, i) => p * shape[i]!, 1);
  const n = red.reduce((p, i) => p * shape[i]!, 1);
  const u = new Uniforms().add('sizes', 'u32', [outSize, n])
    .add('keptShape', 'u32', kept.map((i) => shape[i]!)).add('keptStrides', 'u32', kept.map((i) => strides[i]!))
    .add('redShape', 'u32', red.map((i) => shape[i]!)).add('redStrides', 'u32', red.map((i) => strides[i]!));
  const offset = (field: string, rank: number, prefix: string) =>
    rank === 0 ? '0u' : Array.from({ length: rank }, (_, d) => `${prefix}${d} * ${u.at(field, d)}`).join(' + ');
  /** The offset in X of reduced element `i` of the block at `base` (WGSL statements, then the expression). */
  const element = (i: string) => ({
    coords: red.length ? coordsOf(u, 'redShape', red.length, i, 'r') : '',
    at: `base + ${offset('redStrides', red.length, 'r')}`,
  });
  /** A WGSL function combining the mapped elements of one block across the workgroup. */
  const sweep = (name: string, map: string, combine: string) => {
    const e = element('i');
    return `
fn ${name}(lidx: u32, base: u32, n: u32, init: f32, m: f32) -> f32 {
  var a = init;
  for (var i = lidx; i < n; i = i + ${WG}u) {
    ${e.coords}
    let v = X[${e.at}];
    a = ${combine}(a, ${map});
  }
  part[lidx] = a;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lidx < s) { part[lidx] = ${combine}(part[lidx], part[lidx + s]); }
    workgroupBarrier();
  }
  let total = part[0];
  workgroupBarrier();
  return total;
}
`;
  };
  // a function: the uniform block is declared with every field added by then
  const head = () => `${storage(0, 'X', 'f32', 'read')}${storage(1, 'Y', 'f32', 'read_write')}${u.declare(2)}
var<workgroup> part: array<f32, ${WG}>;
`;
  const main = (body: string) => `
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lidx: u32) {
  let o = wid.y * nwg.x + wid.x;
  let n = ${u.at('sizes', 1)};
  var base = 0u;
  if (o < ${u.at('sizes', 0)}) {
    ${kept.length ? coordsOf(u, 'keptShape', kept.length, 'o', 'k') : ''}
    base = ${offset('keptStrides', kept.length, 'k')};
  }
  ${body}
}
`;
  return { u, kept, red, outSize, element, sweep, head, main, live: `o < ${u.at('sizes', 0)}` };
}

/** Reduces `shape` over `axes` (normalized, any order) into `out` (keepdims or not: same layout). */
export function reduceProgram(kind: Reducer, shape: readonly number[], axes: readonly number[], out: TensorType): Program {
  const r = REDUCERS[kind];
  const b = blocks(shape, axes);
  const shifted = kind === 'logSumExp';
  const source = () => `${b.head()}${INFINITY}${NAN_MINMAX}
fn combine(a: f32, b: f32) -> f32 { return ${r.combine}; }
${b.sweep('sweep', r.map, 'combine')}${shifted ? b.sweep('sweepMax', 'v', 'nmax_') : ''}${b.main(`${shifted
    ? `let top = sweepMax(lidx, base, n, ${NEG_INF}, 0.0);\n  let m = select(0.0, top, (bitcast<u32>(top) & 0x7fffffffu) < 0x7f800000u);`
    : 'let m = 0.0;'}
  let a = sweep(lidx, base, n, ${r.init}, m);
  if (lidx == 0u && ${b.live}) {
    Y[o] = ${narrow(r.finish, out.dtype)};
  }`)}`;
  return {
    key: `reduce:${kind}:k${b.kept.length}:r${b.red.length}:${out.dtype}`,
    source, bindings: [{ input: 0 }, { output: 0 }], uniforms: b.u,
    workgroups: linearDispatch(b.outSize, 1),
  };
}

/**
 * y = (x − mean) / (std + ε) over the blocks of `axes` (MeanVarianceNormalization): per block the
 * mean, then the centred variance (two passes, no cancellation), then every element written.
 */
export function meanVarianceProgram(shape: readonly number[], axes: readonly number[], epsilon: number, out: TensorType): Program {
  const b = blocks(shape, axes);
  b.u.add('eps', 'f32', epsilon);
  const e = b.element('i');
  const source = () => `${b.head()}
fn add_(a: f32, b: f32) -> f32 { return a + b; }
${b.sweep('sweepSum', 'v', 'add_')}${b.sweep('sweepSq', '(v - m) * (v - m)', 'add_')}${b.main(`let mean = sweepSum(lidx, base, n, 0.0, 0.0) / f32(n);
  let sd = sqrt(sweepSq(lidx, base, n, 0.0, mean) / f32(n));
  for (var i = lidx; ${b.live} && i < n; i = i + ${WG}u) {
    ${e.coords}
    let at = ${e.at};
    Y[at] = ${narrow(`(X[at] - mean) / (sd + ${b.u.at('eps')})`, out.dtype)};
  }`)}`;
  return {
    key: `meanvariance:k${b.kept.length}:r${b.red.length}:${out.dtype}`,
    source, bindings: [{ input: 0 }, { output: 0 }], uniforms: b.u,
    workgroups: linearDispatch(b.outSize, 1),
  };
}
