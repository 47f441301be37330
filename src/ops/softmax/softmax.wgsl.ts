import { narrow } from '../../devices/webgpu/elementwise.js';
import type { BufferRef, GpuKernel, Program } from '../../devices/webgpu/program.js';
import type { DType } from '../../tensor/dtype.js';
import { INFINITY, NAN_MINMAX, NEG_INF } from '../../wgsl/math.js';
import { linearDispatch, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { normalizeAxis } from '../../tensor/shape.js';
import type { Softmax } from './softmax.op.js';

const WG = 64;

// Softmax / LogSoftmax along one axis: one workgroup per row (outer × inner rows of `len`
// elements `inner` apart), reducing the row's max and then Σ exp(x − max) in workgroup memory.
export function softmaxKernel(log: boolean): GpuKernel<typeof Softmax.attrs> {
  return ([x], a, [out]) => {
    const axis = normalizeAxis(a.axis, x!.shape.length);
    const len = x!.shape[axis]!;
    const inner = x!.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const rows = x!.shape.reduce((p, d) => p * d, 1) / Math.max(1, len);
    return { programs: [softmaxRowsProgram({ rows, len, inner, log, outDtype: out!.dtype, input: { input: 0 }, output: { output: 0 } })] };
  };
}

export interface SoftmaxRows {
  rows: number;
  len: number;
  inner: number;
  log: boolean;
  outDtype: DType;
  input: BufferRef;
  output: BufferRef;
  /** A row whose values are all −∞ (a fully masked attention row) gives zeros, not NaN. */
  zeroMaskedRows?: boolean;
  /**
   * An extra logit in each row's denominator only (GroupQueryAttention's smooth_softmax: 0, or its
   * head_sink: `values[h]` for rows of head h = ⌊row / seq⌋ mod heads).
   */
  sink?: { heads: number; seq: number; values?: BufferRef };
}

/** The softmax of every row of `input` into `output` (also attention's probabilities, on a scratch buffer). */
export function softmaxRowsProgram(r: SoftmaxRows): Program {
  const u = new Uniforms().add('dims', 'u32', [r.rows, r.len, r.inner, r.sink?.heads ?? 1, r.sink?.seq ?? 1]);
  const [ROWS, LEN, INNER, HEADS, SEQ] = [0, 1, 2, 3, 4].map((i) => u.at('dims', i));
  const sinkValues = r.sink?.values;
  const result = r.log ? 'v - m - log(s)' : 'exp_near0(v - m) / s';
  const value = r.zeroMaskedRows ? `select(${result}, 0.0, m == ${NEG_INF})` : result;
  const source = () => `${storage(0, 'X', 'f32', 'read')}${sinkValues ? storage(1, 'SINK', 'f32', 'read') : ''}${storage(sinkValues ? 2 : 1, 'Y', 'f32', 'read_write')}${u.declare(sinkValues ? 3 : 2)}${INFINITY}${NAN_MINMAX}
var<workgroup> part: array<f32, ${WG}>;

// exp of x − max: near 0 a Taylor polynomial, exact to f32 rounding, where the device's exp may be
// a few ulp off (lavapipe gives exp(−1e−15) < 1); rows of near-equal logits then give exact ties
fn exp_near0(d: f32) -> f32 {
  if (abs(d) < 1e-4) { return 1.0 + d * (1.0 + 0.5 * d); }
  return exp(d);
}

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lidx: u32) {
  let row = wid.y * nwg.x + wid.x;
  let live = row < ${ROWS};
  let base = (row / ${INNER}) * ${LEN} * ${INNER} + row % ${INNER};
  var m = ${NEG_INF};
  for (var i = lidx; live && i < ${LEN}; i = i + ${WG}u) { m = nmax_(m, X[base + i * ${INNER}]); }
  part[lidx] = m;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lidx < s) { part[lidx] = nmax_(part[lidx], part[lidx + s]); }
    workgroupBarrier();
  }
  m = part[0];${r.sink ? `
  let sink = ${sinkValues ? `SINK[(row / ${SEQ}) % ${HEADS}]` : '0.0'};
  m = nmax_(m, sink);` : ''}
  workgroupBarrier();
  var t = 0.0;
  for (var i = lidx; live && i < ${LEN}; i = i + ${WG}u) { t = t + exp_near0(X[base + i * ${INNER}] - m); }
  part[lidx] = t;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lidx < s) { part[lidx] = part[lidx] + part[lidx + s]; }
    workgroupBarrier();
  }
  let s = part[0]${r.sink ? ' + exp(sink - m)' : ''};
  for (var i = lidx; live && i < ${LEN}; i = i + ${WG}u) {
    let v = X[base + i * ${INNER}];
    Y[base + i * ${INNER}] = ${narrow(value, r.outDtype)};
  }
}
`;
  return {
    key: `softmax:${r.log ? 'log' : 'exp'}:${r.outDtype}:${r.zeroMaskedRows ? 'z' : ''}:${r.sink ? (sinkValues ? 'sinks' : 'smooth') : ''}`, source,
    bindings: [r.input, ...(sinkValues ? [sinkValues] : []), r.output], uniforms: u,
    workgroups: linearDispatch(r.rows, 1),
  };
}
