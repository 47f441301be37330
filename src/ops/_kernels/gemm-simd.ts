// The GEMM micro-kernel in WebAssembly SIMD (f32x4), for engines that have it (Node ≥ 16, current
// browsers). JavaScript numbers are scalar doubles, so the JS micro-kernel tops out near one
// multiply-add per cycle; four lanes per instruction make convolutions several times faster.
//
// The module is assembled here byte by byte (no build step, no binary asset). Its memory holds
// the 4×8 result tile at byte 0, then the packed A and B panels, which gemm.ts writes through
// Float32Array views. Only the inner product runs in WebAssembly; blocking and packing stay in JS.

/** Tile rows and columns: one A panel step is 4 floats, one B panel step 8 (two f32x4). */
export const SIMD_MR = 4;
export const SIMD_NR = 8;

export interface SimdKernel {
  /** The whole module memory as floats: tile at [0, 32), then the caller's panels. */
  floats: Float32Array;
  /** Float index where panel storage begins (after the tile). */
  panelsAt: number;
  /** tile[4×8] = Σ_p A[p][0..4) ⊗ B[p][0..8) over kc steps; a and b are float indices into `floats`. */
  tile(kc: number, a: number, b: number): void;
}

const PAGE_FLOATS = 65536 / 4;

const enum Op {
  LocalGet = 0x20, LocalSet = 0x21, LocalTee = 0x22, I32Const = 0x41, I32Add = 0x6a, I32Sub = 0x6b,
  Loop = 0x03, BrIf = 0x0d, End = 0x0b, Simd = 0xfd, Void = 0x40, I32 = 0x7f, V128 = 0x7b,
}
// SIMD opcodes (after the 0xfd prefix, LEB128-encoded).
const V128_LOAD = [0x00];
const V128_STORE = [0x0b];
const V128_LOAD32_SPLAT = [0x09];
const F32X4_ADD = [0xe4, 0x01];
const F32X4_MUL = [0xe6, 0x01];

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
const name = (s: string) => [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const memarg = (offset: number) => [2, ...leb(offset)]; // align hint 4 bytes

function moduleBytes(pages: number): Uint8Array<ArrayBuffer> {
  // params: 0 kc, 1 a (bytes), 2 b (bytes); locals: 3..10 accumulators, 11 b0, 12 b1, 13 splat of a
  const [KC, A, B, ACC, B0, B1, AS] = [0, 1, 2, 3, 11, 12, 13];
  const get = (i: number) => [Op.LocalGet, i];
  const set = (i: number) => [Op.LocalSet, i];
  const simd = (op: number[], ...imm: number[]) => [Op.Simd, ...op, ...imm];
  const body: number[] = [Op.Loop, Op.Void];
  body.push(...get(B), ...simd(V128_LOAD, ...memarg(0)), ...set(B0));
  body.push(...get(B), ...simd(V128_LOAD, ...memarg(16)), ...set(B1));
  for (let i = 0; i < SIMD_MR; i++) {
    body.push(...get(A), ...simd(V128_LOAD32_SPLAT, ...memarg(4 * i)), ...set(AS));
    for (const [j, bv] of [[0, B0], [1, B1]] as const) {
      const acc = ACC + 2 * i + j;
      body.push(...get(acc), ...get(AS), ...get(bv), ...simd(F32X4_MUL), ...simd(F32X4_ADD), ...set(acc));
    }
  }
  body.push(...get(A), Op.I32Const, ...leb(4 * SIMD_MR), Op.I32Add, ...set(A));
  body.push(...get(B), Op.I32Const, ...leb(4 * SIMD_NR), Op.I32Add, ...set(B));
  body.push(...get(KC), Op.I32Const, 1, Op.I32Sub, Op.LocalTee, KC, Op.BrIf, 0, Op.End);
  // tile (byte 0) ← accumulators, row-major 4×8
  for (let k = 0; k < 8; k++) body.push(Op.I32Const, 0, ...get(ACC + k), ...simd(V128_STORE, ...memarg(16 * k)));
  body.push(Op.End);
  const func = [1, 11, Op.V128, ...body]; // one local group: 11 × v128
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 3, Op.I32, Op.I32, Op.I32, 0]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0, ...leb(pages)]),
    ...section(7, [2, ...name('tile'), 0, 0, ...name('memory'), 2, 0]),
    ...section(10, [1, ...leb(func.length), ...func]),
  ]);
}

/** A SIMD kernel with room for `panelFloats` floats of panels, or undefined without WebAssembly SIMD. */
export function createSimdKernel(panelFloats: number): SimdKernel | undefined {
  if (typeof WebAssembly === 'undefined') return undefined;
  const panelsAt = SIMD_MR * SIMD_NR;
  const bytes = moduleBytes(Math.ceil((panelsAt + panelFloats) / PAGE_FLOATS));
  if (!WebAssembly.validate(bytes)) return undefined;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  const memory = instance.exports.memory as WebAssembly.Memory;
  const tile = instance.exports.tile as (kc: number, a: number, b: number) => void;
  return { floats: new Float32Array(memory.buffer), panelsAt, tile: (kc, a, b) => tile(kc, a * 4, b * 4) };
}
