// int8 matrix products as engine tactics: y[M,N] = requant(Σ_k (x[m,k] − zx)·w[k,n] + bias[n])
// with a per-tensor activation scale and zero point, per-channel symmetric int8 weights and int32
// accumulation (QLinearMatMul, MatMulInteger, and Gemm/MatMul between QuantizeLinear and
// DequantizeLinear). The input is an int8/uint8 tensor [M, K] in packed-byte storage; the output
// int8/uint8 (requantized) or f32 (dequantized), [M, N] row-major.
import type { Activation } from '../../network.js';
import type { DeviceCaps } from '../../../devices/webgpu/caps.js';
import type { Storage } from '../../network.js';
import { declareTensor, f32Literal, loaders } from '../access.js';
import type { Tactic } from '../tactic.js';
import { qRange, quantUnfit, type QuantParams } from './int8-data.js';
import { int8TileTactics, type Int8Problem } from './int8-tile.js';
import type { Int8Residual } from './int8-store.js';

export interface Int8GemmSpec {
  /** The layer's name, for refusals. */
  name: string;
  input: string;
  output: string;
  m: number;
  k: number;
  n: number;
  x: QuantParams;
  /** int8 weights [K, N] row-major, symmetric (zero point 0). */
  weights: Int8Array;
  /** Per output column (N entries) or one for all. */
  weightScales: Float32Array;
  /** int32 bias in units of x.scale · weightScale[n]. */
  bias?: Int32Array;
  relu?: boolean;
  /** An activation other than ReLU, on the dequantized float. */
  act?: Activation;
  /** A float tensor of the output's shape (row-major, same element order) added before the activation. */
  residual?: Int8Residual;
  /** Merged sibling products: the float columns go to these f32 tensors in order, M rows of n each. */
  parts?: { tensor: string; n: number }[];
  /** Requantize the output to this; absent: dequantize to f32. */
  y?: QuantParams;
  /** The input is an engine float tensor in this storage holding the integers (else packed bytes). */
  inputStorage?: Storage;
  /** With inputStorage: the float tensor holds real values, quantized by `x` as they are read. */
  inputQuantize?: boolean;
  /** With `y`: the output is an f32 engine tensor holding the requantized integers. */
  yFloat?: boolean;
  /** The input's zero point is this one-element engine tensor (read at run time), not x.zeroPoint. */
  xZeroPoint?: RuntimeZeroPoint;
  /** Without `y`: the output is an i32 tensor of the int32 sums (scales must be 1). */
  intOut?: boolean;
  /** The float output (merged parts included) is stored as native f16 (shader-f16), not f32. */
  halfOut?: boolean;
}

/** A zero point computed in the engine (DynamicQuantizeLinear's): a one-element float tensor holding the integer. */
export interface RuntimeZeroPoint {
  tensor: string;
  storage: Storage;
}

/**
 * The input's zero point as WGSL: with a runtime zero point, its binding (at `binding`) and
 * `fn zeroA() -> u32` (its byte), the expression `zeroA()`; else the constant byte of x.zeroPoint.
 */
export function zeroPointPart(binding: number, x: QuantParams, zp: RuntimeZeroPoint | undefined): { wgsl: string; byte: string; bindings: { tensor: string }[] } {
  if (!zp) return { wgsl: '', byte: `${x.zeroPoint & 0xff}u`, bindings: [] };
  return {
    wgsl: `${declareTensor(binding, 'zq', zp.storage)}${loaders('zq', zp.storage)}fn zeroA() -> u32 { return u32(i32(load_zq(0u))) & 0xffu; }\n`,
    byte: 'zeroA()',
    bindings: [{ tensor: zp.tensor }],
  };
}

/**
 * Declares the input `xq` at `binding`, `fn xw(i: u32) -> u32` (word i of packed bytes) and
 * `byteAt(i)`, its element i as a byte: packed int8 storage, or an engine float tensor (f32 or
 * f16x2) whose elements are integers in [-128, 255], or (`quantize`) a float tensor of real values
 * quantized as they are read, exactly as a QuantizeLinear layer computes it. `wide` (packed bytes
 * whose size is a multiple of 16): `xq` is an array of vec4<u32>, so a loader can fetch four words
 * with one load.
 */
export function inputBytes(binding: number, storage: Storage | undefined, wide = false, quantize?: QuantParams): string {
  if (!storage) {
    return `@group(0) @binding(${binding}) var<storage, read_write> xq: array<${wide ? 'vec4<u32>' : 'u32'}>;
fn xw(i: u32) -> u32 { return ${wide ? 'xq[i >> 2u][i & 3u]' : 'xq[i]'}; }
fn byteAt(i: u32) -> u32 { return (xw(i >> 2u) >> ((i & 3u) * 8u)) & 0xffu; }
`;
  }
  const [lo, hi] = quantize ? qRange(quantize) : [0, 0];
  const value = quantize
    ? `min(max(round(load_xq(i) / ${f32Literal(quantize.scale)}) + ${f32Literal(quantize.zeroPoint)}, ${f32Literal(lo)}), ${f32Literal(hi)})`
    : 'load_xq(i)';
  return `${declareTensor(binding, 'xq', storage)}${loaders('xq', storage)}fn byteAt(i: u32) -> u32 { return u32(i32(${value})) & 0xffu; }\n`;
}

/** Checks shared by the int8 layers: quantization parameters, weight scales and bias lengths. */
export function int8SpecUnfit(s: { name: string; x: QuantParams; y?: QuantParams; weightScales: Float32Array; bias?: Int32Array }, channels: number): string | undefined {
  const bad = quantUnfit(s.x, 'input') ?? (s.y ? quantUnfit(s.y, 'output') : undefined);
  if (bad) return `int8 layer ${s.name}: ${bad}`;
  if (s.weightScales.length !== 1 && s.weightScales.length !== channels) return `int8 layer ${s.name}: ${s.weightScales.length} weight scales for ${channels} output channels`;
  if (s.weightScales.some((w) => !(w > 0) || !Number.isFinite(w))) return `int8 layer ${s.name}: weight scales must be positive and finite`;
  if (s.bias && s.bias.length !== channels) return `int8 layer ${s.name}: ${s.bias.length} bias values for ${channels} output channels`;
  return undefined;
}

/** Each part's first column. */
function partRanges(parts: { tensor: string; n: number }[]): { tensor: string; start: number; n: number }[] {
  let start = 0;
  return parts.map((p) => ({ ...p, start: (start += p.n) - p.n }));
}

/** The tactics for the product (one per tile that fits), or why there are none. */
export function int8GemmTactics(s: Int8GemmSpec, caps: DeviceCaps): Tactic[] | string {
  const unfit = int8SpecUnfit(s, s.n);
  if (unfit) return unfit;
  if (s.weights.length !== s.k * s.n) return `int8 layer ${s.name}: ${s.weights.length} weights for K=${s.k} × N=${s.n}`;
  const aligned = s.k % 4 === 0 && !s.inputStorage;
  // rows of whole 16-byte words: four words of A in one load
  const wide = s.k % 16 === 0 && !s.inputStorage;
  const problem: Int8Problem = {
    m: s.m, n: s.n, k: s.k, groups: 1, aRows: wide, x: s.x, zxRuntime: !!s.xZeroPoint, intOut: !!s.intOut && !s.y, ...(s.y ? { y: s.y, yFloat: !!s.yFloat } : {}), relu: !!s.relu, ...(s.act ? { act: s.act } : {}), ...(s.residual ? { residual: s.residual } : {}), ...(s.parts ? { parts: partRanges(s.parts) } : {}), ...(s.halfOut ? { halfOut: true } : {}),
    weightScales: s.weightScales, ...(s.bias ? { bias: s.bias } : {}),
    at: (_g, k, n) => s.weights[k * s.n + n]!,
    a: (first) => {
      const zp = zeroPointPart(first + 1, s.x, s.xZeroPoint);
      return {
      wgsl: `${inputBytes(first, s.inputStorage, wide, s.inputQuantize ? s.x : undefined)}${zp.wgsl}${wide ? `fn loadA16r(m: u32, kq: u32) -> vec4<u32> { return xq[(m * ${s.k / 4}u + kq) / 4u]; }\n` : ''}${aligned
    ? `fn loadA4(m: u32, kq: u32) -> u32 { return xw(m * ${s.k / 4}u + kq); }`
    : `fn loadA4(m: u32, kq: u32) -> u32 {
  var w = 0u;
  for (var j = 0u; j < 4u; j = j + 1u) {
    let k = kq * 4u + j;
    w = w | (select(${zp.byte}, byteAt(m * ${s.k}u + k), k < ${s.k}u) << (8u * j));
  }
  return w;
}`}
`,
      bindings: [{ tensor: s.input }, ...zp.bindings],
      };
    },
    outIndex: 'm * N + n',
    store: s.n % 4 === 0 ? 'row4' : 'scratch',
    output: s.output,
    outputCount: s.m * s.n,
  };
  const why: string[] = [];
  const tactics = int8TileTactics('int8-gemm', problem, caps, why);
  return tactics.length ? tactics : `int8 layer ${s.name}: no tactic fits (${why.join('; ')})`;
}
