// WGSL for reading and writing engine tensors in their physical format, and for activations.
// Every engine kernel goes through these, so one kernel source serves every storage
// (src/devices/webgpu/storage.ts) and any mix between its inputs and outputs (loads widen to f32;
// only the matrix kernels' half tiles multiply in f16).
import { f32Literal, NAN_MINMAX } from '../../wgsl/math.js';
import { unaryF32Expr } from '../../ops/unary/unary.wgsl.js';
import { ERF, GELU, SIGMOID, TANH } from '../../wgsl/math.js';
import type { Activation, NetTensor, TensorFormat } from '../network.js';

export { declareConstant, declareTensor, decodeStorage, encodeStorage, loaders, storageBytes, storers, wgslElement, wgslValue } from '../../devices/webgpu/storage.js';

/** Rank-4 logical shape [N, C, H, W] of an image tensor (rank 3 [N, C, W] as [N, C, 1, W]). */
export function imageDims(t: NetTensor): [number, number, number, number] {
  const s = t.shape;
  if (s.length === 4) return [s[0]!, s[1]!, s[2]!, s[3]!];
  if (s.length === 3) return [s[0]!, s[1]!, 1, s[2]!];
  throw new Error(`tensor ${t.name} of rank ${s.length} is not an image`);
}

/**
 * WGSL expression of the physical element index of logical coordinates (n, c, h, w) of an image
 * tensor in its layout; the coordinate arguments are WGSL u32 expressions.
 */
export function imageIndex(t: NetTensor, n: string, c: string, h: string, w: string): string {
  const [, C, H, W] = imageDims(t);
  return t.format.layout === 'nhwc'
    ? `(((${n}) * ${H}u + (${h})) * ${W}u + (${w})) * ${C}u + (${c})`
    : `(((${n}) * ${C}u + (${c})) * ${H}u + (${h})) * ${W}u + (${w})`;
}

/** True when a tensor can be stored in `f16x2` with this layout: its innermost axis is even. */
export function pairable(shape: readonly number[], layout: TensorFormat['layout']): boolean {
  if (shape.length === 0) return false;
  const inner = layout === 'nhwc' ? shape[1]! : shape[shape.length - 1]!;
  return inner % 2 === 0;
}

/** WGSL helper functions activations need (emit once per module), NaN-propagating max/min among them. */
/** The helper declarations every kernel applying activations includes, once each. */
export const ACTIVATION_HELPER_PARTS: readonly string[] = [SIGMOID, TANH, NAN_MINMAX, ERF, GELU];
export const ACTIVATION_HELPERS = ACTIVATION_HELPER_PARTS.join('');

const lit = f32Literal;

/** A WGSL f32 literal. */
export { f32Literal };

/** The ONNX op (and attributes) behind an activation kind whose WGSL is the op's own (unary.wgsl.ts). */
function activationOp(act: Activation): [string, Record<string, number | string>] | undefined {
  switch (act.kind) {
    case 'relu': return ['Relu', {}];
    case 'leakyrelu': return ['LeakyRelu', { alpha: act.alpha }];
    case 'sigmoid': return ['Sigmoid', {}];
    case 'tanh': return ['Tanh', {}];
    case 'hardsigmoid': return ['HardSigmoid', { alpha: act.alpha, beta: act.beta }];
    case 'hardswish': return ['HardSwish', {}];
    case 'gelu': return ['Gelu', { approximate: act.approximate }];
    case 'none': case 'clip': case 'silu': return undefined;
  }
}

/**
 * The WGSL expression applying `act` to `x` (an f32 or vec2<f32> variable name: it is repeated).
 * Requires ACTIVATION_HELPERS. The ops' expressions come from their one WGSL definition.
 */
export function applyActivation(act: Activation, x: string, vec2 = false): string {
  const op = activationOp(act);
  const each = (f: (v: string) => string) => (vec2 ? `vec2<f32>(${f(`${x}.x`)}, ${f(`${x}.y`)})` : f(x));
  if (op) return each((v) => unaryF32Expr(op[0], op[1], v).expr);
  const c = (v: number) => (vec2 ? `vec2<f32>(${lit(v)})` : lit(v));
  const [mx, mn] = vec2 ? ['nmax2_', 'nmin2_'] : ['nmax_', 'nmin_'];
  switch (act.kind) {
    // nmax_/nmin_: NaN stays NaN as on the CPU (WGSL's max(NaN, 0.0) may be 0.0)
    case 'clip': return `${mn}(${mx}(${x}, ${c(act.min)}), ${c(act.max)})`;
    case 'silu': return each((v) => `(${v} * sigmoid_(${v}))`);
    default: return x;
  }
}
