// WGSL for reading and writing engine tensors in their physical format, and for activations.
// Every engine kernel goes through these, so one kernel source serves f32 and packed-f16 storage
// and any mix of the two between its inputs and outputs (arithmetic is always f32).
import { f32Literal, NAN_MINMAX } from '../../wgsl/math.js';
import { unaryF32Expr } from '../../ops/unary/unary.wgsl.js';
import { fromHalfBits, toHalfBits } from '../../tensor/float16.js';
import { ERF, SIGMOID, TANH } from '../../wgsl/math.js';
import type { Activation, NetTensor, Storage, TensorFormat } from '../network.js';

/** The WGSL element type of a storage buffer in this storage. */
export const wgslElement = (s: Storage): string => (s === 'f32' ? 'f32' : 'u32');

/** Bytes a tensor of `count` logical elements occupies (f16x2 rounds up to whole u32 pairs). */
export function storageBytes(count: number, s: Storage): number {
  return s === 'f32' ? count * 4 : Math.ceil(count / 2) * 4;
}

/** Declares tensor binding `name` (always read_write: see EngineProgram.wgsl). */
export function declareTensor(binding: number, name: string, s: Storage): string {
  return `@group(0) @binding(${binding}) var<storage, read_write> ${name}: array<${wgslElement(s)}>;\n`;
}

/** Declares a constant (weights) binding. */
export function declareConstant(binding: number, name: string, s: Storage): string {
  return `@group(0) @binding(${binding}) var<storage, read> ${name}: array<${wgslElement(s)}>;\n`;
}

/**
 * WGSL functions `load_<name>(i: u32) -> f32`, `load2_<name>(i: u32) -> vec2<f32>` (i even: the
 * pair i, i+1) over physical element index `i` of buffer `name`.
 */
export function loaders(name: string, s: Storage): string {
  if (s === 'f32') {
    return `fn load_${name}(i: u32) -> f32 { return ${name}[i]; }
fn load2_${name}(i: u32) -> vec2<f32> { return vec2<f32>(${name}[i], ${name}[i + 1u]); }
`;
  }
  return `fn load_${name}(i: u32) -> f32 { let p = unpack2x16float(${name}[i >> 1u]); return select(p.x, p.y, (i & 1u) == 1u); }
fn load2_${name}(i: u32) -> vec2<f32> { return unpack2x16float(${name}[i >> 1u]); }
`;
}

/**
 * WGSL `store2_<name>(i: u32, v: vec2<f32>)` writing elements i, i+1 (i even), and, for f32 only,
 * `store_<name>(i: u32, v: f32)`. Packed storage has no single-element store: two invocations
 * writing halves of one u32 would race, so kernels producing f16x2 write pairs.
 */
export function storers(name: string, s: Storage): string {
  if (s === 'f32') {
    return `fn store_${name}(i: u32, v: f32) { ${name}[i] = v; }
fn store2_${name}(i: u32, v: vec2<f32>) { ${name}[i] = v.x; ${name}[i + 1u] = v.y; }
`;
  }
  return `fn store2_${name}(i: u32, v: vec2<f32>) { ${name}[i >> 1u] = pack2x16float(v); }
`;
}

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
export const ACTIVATION_HELPER_PARTS: readonly string[] = [SIGMOID, TANH, NAN_MINMAX, ERF];
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

/** Packs f32 values into the given storage's bytes (f16x2: IEEE halves, round to nearest even). */
export function encodeStorage(values: Float32Array, s: Storage): Uint8Array {
  if (s === 'f32') return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  const out = new Uint16Array(Math.ceil(values.length / 2) * 2);
  for (let i = 0; i < values.length; i++) out[i] = toHalfBits(values[i]!);
  return new Uint8Array(out.buffer);
}

/** Decodes storage bytes of `count` elements back to f32. */
export function decodeStorage(bytes: Uint8Array, count: number, s: Storage): Float32Array {
  const copy = bytes.slice(0, storageBytes(count, s));
  if (s === 'f32') return new Float32Array(copy.buffer, 0, count);
  const halves = new Uint16Array(copy.buffer);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = fromHalfBits(halves[i]!);
  return out;
}
