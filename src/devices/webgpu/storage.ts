// How float tensors are stored in device buffers, and the WGSL reading and writing them, for the
// engine's kernels and any framework kernel: one kernel source serves every storage, and
// arithmetic is always f32 (loads widen, stores narrow).
//   f32    one f32 per element;
//   f16x2  IEEE halves packed two to a u32 (pack2x16float) along the innermost axis: any device;
//   f16    native array<f16> (`enable f16;`): devices whose caps have shaderF16;
//   i32    one i32 per element: integer and bool tensors (int64 values narrowed to i32 as the
//          framework stores them on the device, bool as 0/1). Its loads and stores are i32, not
//          f32: integer tensors are copied and compared exactly, never through float arithmetic.
//   i8x4, u8x4  quantized integers (a float tensor holding −128..127 or 0..255) as bytes, four to
//          a u32 (element 4w + j in bits 8j..8j+7): what an int8 layer writes when it requantizes
//          and what int8 layers read. Loads give the integer as f32; there are no element stores
//          (four elements share a word): only the int8 kernels write them, whole words at a time.
import { fromHalfBits, toHalfBits, toHalfBitsArray } from '../../tensor/float16.js';

export type Storage = 'f32' | 'f16x2' | 'f16' | 'i32' | 'i8x4' | 'u8x4';

/** Quantized integers stored as bytes (int8 layers write them). */
export const isByteStorage = (s: Storage): s is 'i8x4' | 'u8x4' => s === 'i8x4' || s === 'u8x4';

/** The WGSL scalar type loads return and stores take: i32 for integer storage, else f32. */
export const wgslValue = (s: Storage): 'f32' | 'i32' => (s === 'i32' ? 'i32' : 'f32');

/** The WGSL element type of a storage buffer in this storage. */
export const wgslElement = (s: Storage): string => (s === 'f32' || s === 'i32' ? s : s === 'f16' ? 'f16' : 'u32');

/** Bytes a tensor of `count` logical elements occupies (f16 and f16x2 round up to whole u32 pairs). */
export function storageBytes(count: number, s: Storage): number {
  if (isByteStorage(s)) return Math.ceil(count / 4) * 4;
  return s === 'f32' || s === 'i32' ? count * 4 : Math.ceil(count / 2) * 4;
}

/** Declares tensor binding `name` read_write (the engine binds one arena buffer to every tensor). */
export function declareTensor(binding: number, name: string, s: Storage): string {
  return `@group(0) @binding(${binding}) var<storage, read_write> ${name}: array<${wgslElement(s)}>;\n`;
}

/** Declares a read-only binding (constants, framework inputs). */
export function declareConstant(binding: number, name: string, s: Storage): string {
  return `@group(0) @binding(${binding}) var<storage, read> ${name}: array<${wgslElement(s)}>;\n`;
}

/**
 * WGSL functions `load_<name>(i: u32) -> f32`, `load2_<name>(i: u32) -> vec2<f32>` (i32 for i32 storage; i even: the
 * pair i, i+1) over physical element index `i` of buffer `name`.
 */
export function loaders(name: string, s: Storage): string {
  switch (s) {
    case 'f32':
      return `fn load_${name}(i: u32) -> f32 { return ${name}[i]; }
fn load2_${name}(i: u32) -> vec2<f32> { return vec2<f32>(${name}[i], ${name}[i + 1u]); }
`;
    case 'f16':
      return `fn load_${name}(i: u32) -> f32 { return f32(${name}[i]); }
fn load2_${name}(i: u32) -> vec2<f32> { return vec2<f32>(f32(${name}[i]), f32(${name}[i + 1u])); }
`;
    case 'i32':
      return `fn load_${name}(i: u32) -> i32 { return ${name}[i]; }
fn load2_${name}(i: u32) -> vec2<i32> { return vec2<i32>(${name}[i], ${name}[i + 1u]); }
`;
    case 'f16x2':
      return `fn load_${name}(i: u32) -> f32 { let p = unpack2x16float(${name}[i >> 1u]); return select(p.x, p.y, (i & 1u) == 1u); }
fn load2_${name}(i: u32) -> vec2<f32> { return unpack2x16float(${name}[i >> 1u]); }
`;
    case 'u8x4':
      return `fn load_${name}(i: u32) -> f32 { return f32((${name}[i >> 2u] >> ((i & 3u) * 8u)) & 0xffu); }
fn load2_${name}(i: u32) -> vec2<f32> { return vec2<f32>(load_${name}(i), load_${name}(i + 1u)); }
`;
    case 'i8x4':
      // the byte moved to the top, then an arithmetic shift back: sign-extended
      return `fn load_${name}(i: u32) -> f32 { return f32(bitcast<i32>(${name}[i >> 2u] << ((3u - (i & 3u)) * 8u)) >> 24u); }
fn load2_${name}(i: u32) -> vec2<f32> { return vec2<f32>(load_${name}(i), load_${name}(i + 1u)); }
`;
  }
}

/**
 * WGSL `store2_<name>(i: u32, v: vec2<f32>)` writing elements i, i+1 (i even), and, except for
 * f16x2, `store_<name>(i: u32, v: f32)`. Packed storage has no single-element store: two
 * invocations writing halves of one u32 would race, so kernels producing f16x2 write pairs.
 */
export function storers(name: string, s: Storage): string {
  switch (s) {
    case 'f32':
      return `fn store_${name}(i: u32, v: f32) { ${name}[i] = v; }
fn store2_${name}(i: u32, v: vec2<f32>) { ${name}[i] = v.x; ${name}[i + 1u] = v.y; }
`;
    case 'f16':
      return `fn store_${name}(i: u32, v: f32) { ${name}[i] = f16(v); }
fn store2_${name}(i: u32, v: vec2<f32>) { ${name}[i] = f16(v.x); ${name}[i + 1u] = f16(v.y); }
`;
    case 'i32':
      return `fn store_${name}(i: u32, v: i32) { ${name}[i] = v; }
fn store2_${name}(i: u32, v: vec2<i32>) { ${name}[i] = v.x; ${name}[i + 1u] = v.y; }
`;
    case 'f16x2':
      return `fn store2_${name}(i: u32, v: vec2<f32>) { ${name}[i >> 1u] = pack2x16float(v); }
`;
    case 'i8x4':
    case 'u8x4':
      throw new Error(`tensor ${name}: ${s} storage is written by int8 layers only (whole words)`);
  }
}

/** Packs f32 values into the given storage's bytes (halves: IEEE, round to nearest even; i32: integers, truncated; bytes: rounded, saturated). */
export function encodeStorage(values: Float32Array, s: Storage): Uint8Array {
  if (isByteStorage(s)) {
    const out = new Uint8Array(storageBytes(values.length, s));
    out.set(s === 'i8x4' ? new Uint8Array(Int8Array.from(values, (v) => Math.max(-128, Math.min(127, Math.round(v)))).buffer) : Uint8Array.from(values, (v) => Math.max(0, Math.min(255, Math.round(v)))));
    return out;
  }
  if (s === 'i32') return new Uint8Array(Int32Array.from(values, (v) => Math.trunc(v)).buffer);
  if (s === 'f32') return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  const out = new Uint16Array(Math.ceil(values.length / 2) * 2);
  toHalfBitsArray(values, out);
  return new Uint8Array(out.buffer);
}

/** Decodes storage bytes of `count` elements back to f32. */
export function decodeStorage(bytes: Uint8Array, count: number, s: Storage): Float32Array {
  const copy = bytes.slice(0, storageBytes(count, s));
  if (isByteStorage(s)) return Float32Array.from(s === 'i8x4' ? new Int8Array(copy.buffer, 0, count) : new Uint8Array(copy.buffer, 0, count));
  if (s === 'i32') return Float32Array.from(new Int32Array(copy.buffer, 0, count));
  if (s === 'f32') return new Float32Array(copy.buffer, 0, count);
  const halves = new Uint16Array(copy.buffer);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = fromHalfBits(halves[i]!);
  return out;
}

/**
 * A shader module's source with the `enable f16;` directive it needs when it uses the f16 type
 * (directives must precede every declaration, so parts that declare f16 buffers cannot add it).
 * Only type uses count (`<f16>`, `: f16`, `f16(`), not the word in a comment.
 */
export function withEnables(code: string): string {
  return /<f16>|:\s*f16\b|\bf16\(/.test(code) && !/^\s*enable f16\s*;/m.test(code) ? `enable f16;\n${code}` : code;
}
