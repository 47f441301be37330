// Host-side data of the int8 matrix kernels: quantization parameters, the weights packed four
// int8 values to a u32 along K (the operand order of WGSL's dot4I8Packed), and the per-channel
// epilogue constants. int8/uint8 tensors are stored as their bytes in logical row-major order,
// four to a u32 (little-endian: element 4w + j in bits 8j..8j+7), padded to whole words.

/** A per-tensor affine quantization: real = scale · (q − zeroPoint), q an int8 or uint8. */
export interface QuantParams {
  scale: number;
  zeroPoint: number;
  /** int8 (true) or uint8 (false) storage. */
  signed: boolean;
}

export const qRange = (q: Pick<QuantParams, 'signed'>): [number, number] => (q.signed ? [-128, 127] : [0, 255]);

/** Why `q` cannot be used, or undefined. */
export function quantUnfit(q: QuantParams, what: string): string | undefined {
  const [lo, hi] = qRange(q);
  if (!(q.scale > 0) || !Number.isFinite(q.scale)) return `${what} scale ${q.scale} is not a positive finite number`;
  if (!Number.isInteger(q.zeroPoint) || q.zeroPoint < lo || q.zeroPoint > hi) return `${what} zero point ${q.zeroPoint} is outside [${lo}, ${hi}]`;
  return undefined;
}

/** Bytes of `count` int8 elements in storage: whole u32 words. */
export const int8StorageBytes = (count: number): number => Math.ceil(count / 4) * 4;

/** The bytes of int8 or uint8 values in storage (padded to whole words with zeros). */
export function packInt8(values: Int8Array | Uint8Array): Uint8Array {
  const out = new Uint8Array(int8StorageBytes(values.length));
  out.set(new Uint8Array(values.buffer, values.byteOffset, values.length));
  return out;
}

/**
 * Weights as the kernels read them: [groups][nPad][kPad/4] words, word (g, n, kq) holding
 * B[g][4kq .. 4kq+3][n] as int8 bytes, zero outside K×N. `at(g, k, n)` gives B's int8 values.
 */
export function packWeightWords(
  groups: number, k: number, n: number, kPad: number, nPad: number, at: (g: number, k: number, n: number) => number,
): Uint32Array {
  const kq = kPad / 4;
  const bytes = new Uint8Array(groups * nPad * kPad);
  for (let g = 0; g < groups; g++) {
    for (let c = 0; c < n; c++) {
      const row = (g * nPad + c) * kPad;
      for (let i = 0; i < k; i++) bytes[row + i] = at(g, i, c) & 0xff;
    }
  }
  return new Uint32Array(bytes.buffer, 0, groups * nPad * kq);
}

export interface ChannelSpec {
  groups: number;
  k: number;
  n: number;
  at: (g: number, k: number, n: number) => number;
  x: QuantParams;
  /** Per output channel (groups·n entries) or one for all. */
  weightScales: Float32Array;
  /** Int32 bias in units of x.scale · weightScale (QLinearConv's), per output channel. */
  bias?: Int32Array;
  /** Requantization target; absent: the epilogue dequantizes to f32. */
  y?: QuantParams;
}

/**
 * Three u32 per output channel c: Σ_k B[k][c] (to subtract the input zero point's share), the
 * int32 bias, and the f32 multiplier taking the int32 sum to the output: x.scale·w.scale[c]
 * (÷ y.scale when requantizing), rounded as f32 arithmetic rounds it.
 */
export function channelParams(s: ChannelSpec): Uint32Array {
  const channels = s.groups * s.n;
  const words = new Uint32Array(channels * 3);
  const f = new Float32Array(words.buffer);
  const i = new Int32Array(words.buffer);
  for (let g = 0; g < s.groups; g++) {
    for (let c = 0; c < s.n; c++) {
      const ch = g * s.n + c;
      let sum = 0;
      for (let kk = 0; kk < s.k; kk++) sum += s.at(g, kk, c);
      const ws = s.weightScales.length === 1 ? s.weightScales[0]! : s.weightScales[ch]!;
      const xw = Math.fround(Math.fround(s.x.scale) * Math.fround(ws));
      i[ch * 3] = sum;
      i[ch * 3 + 1] = s.bias ? s.bias[ch]! : 0;
      f[ch * 3 + 2] = s.y ? Math.fround(xw / Math.fround(s.y.scale)) : xw;
    }
  }
  return words;
}
