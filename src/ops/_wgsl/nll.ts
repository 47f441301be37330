// The negative log-likelihood of NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss on the
// device (see _kernels/nll.ts): x seen as [N, C, D], target as [N, D]. 'none' is one invocation
// per target element; 'sum' and 'mean' are one workgroup striding over all of them and reducing
// the losses and the kept weights in workgroup memory. A target that is neither ignore_index nor a
// class index (the CPU kernel's error) gives NaN: a shader cannot throw.
import { narrow } from '../../devices/webgpu/elementwise.js';
import type { BufferRef, Program } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import type { DType } from '../../tensor/dtype.js';
import type { LossReduction } from '../_kernels/nll.js';

const WG = 256;

export interface NllSpec {
  /** log-probabilities [N, C, D...] */
  x: BufferRef;
  target: BufferRef;
  weight?: BufferRef;
  shape: readonly number[];
  ignoreIndex: number | undefined;
  reduction: LossReduction;
  outDtype: DType;
}

/** Why the device cannot take this loss, or undefined. */
export function nllDecline(ignoreIndex: number | undefined): string | undefined {
  if (ignoreIndex !== undefined && (ignoreIndex > 2147483647 || ignoreIndex < -2147483648)) {
    return `ignore_index ${ignoreIndex} does not fit the device's 32-bit integers`;
  }
  return undefined;
}

export function nllProgram(s: NllSpec): Program {
  const [n, c] = [s.shape[0]!, s.shape[1]!];
  const d = s.shape.slice(2).reduce((p, q) => p * q, 1);
  const u = new Uniforms().add('dims', 'u32', [n * d, c, d]).add('ignore', 'i32', s.ignoreIndex ?? 0);
  const [COUNT, C, D] = [0, 1, 2].map((i) => u.at('dims', i));
  const bindings = [s.x, s.target, ...(s.weight ? [s.weight] : []), { output: 0 }];
  const decls = storage(0, 'X', 'f32', 'read') + storage(1, 'T', 'i32', 'read') + (s.weight ? storage(2, 'W', 'f32', 'read') : '')
    + storage(bindings.length - 1, 'Y', 'f32', 'read_write');
  // loss and weight of target element e (0, 0 where ignored)
  const term = `
var<private> NAN_U: u32 = 0x7fc00000u;
fn term(e: u32) -> vec2<f32> {
  let t = T[e];
  ${s.ignoreIndex !== undefined ? `if (t == ${u.at('ignore')}) { return vec2<f32>(0.0, 0.0); }` : ''}
  if (t < 0 || t >= i32(${C})) { return vec2<f32>(bitcast<f32>(NAN_U), 0.0); }
  let w = ${s.weight ? 'W[t]' : '1.0'};
  return vec2<f32>(-X[((e / ${D}) * ${C} + u32(t)) * ${D} + e % ${D}] * w, w);
}
`;
  const key = `nll:${s.reduction}:${s.weight ? 'w' : '-'}:${s.ignoreIndex !== undefined ? 'i' : '-'}:${s.outDtype}`;
  if (s.reduction === 'none') {
    const body = `if (gi >= ${COUNT}) { return; }
    Y[gi] = ${narrow('term(gi).x', s.outDtype)};`;
    return { key, source: () => `${decls}${u.declare(bindings.length)}${term}${linearMain(body)}`, bindings, uniforms: u, workgroups: linearDispatch(n * d) };
  }
  const result = s.reduction === 'sum' ? 'part[0].x' : 'part[0].x / part[0].y';
  const source = () => `${decls}${u.declare(bindings.length)}${term}
var<workgroup> part: array<vec2<f32>, ${WG}>;

@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_index) lidx: u32) {
  var acc = vec2<f32>(0.0, 0.0);
  for (var e = lidx; e < ${COUNT}; e = e + ${WG}u) { acc = acc + term(e); }
  part[lidx] = acc;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lidx < s) { part[lidx] = part[lidx] + part[lidx + s]; }
    workgroupBarrier();
  }
  if (lidx == 0u) { Y[0] = ${narrow(result, s.outDtype)}; }
}
`;
  return { key, source, bindings, uniforms: u, workgroups: [1, 1, 1] };
}
