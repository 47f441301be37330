// The int8 tile's K loop on subgroup matrices (tensor cores: Dawn's chromium-experimental-subgroup-
// matrix with i8×i8→i32 16×16×32 tiles). The workgroup stages the same words as the dot4I8Packed
// loop (A as [TM][TKQ] words, B as [TN][TKQ] words, four K values to a word), so A is a row-major
// and B a column-major i8 matrix with a stride of 4·TKQ bytes; each 32-lane subgroup multiplies a
// 16×32 block of the tile (one left, two right matrices per 32 values of K). After the loop every
// subgroup stores its two i32 result matrices into the tile's staging area, which reuses the
// operands' workgroup memory, and each thread reads back the 4×4 block the dot4I8Packed loop would
// have accumulated: the epilogue and the output paths are the same code.
//
// An i8 matrix's offsets and strides in the i32 array holding it count bytes by the extension's
// text and words on NVIDIA's Vulkan driver (H100, driver 580: byte offsets read past the operands
// and every product came out zero); caps.i8MatrixUnit says which, as the device check found. Subgroup
// loads and stores need subgroup-uniform offsets: a subgroup's block follows from
// local_invocation_index / 32, uniform in fact but not to WGSL's analysis, so its diagnostic is off.
import type { DeviceCaps } from '../../../devices/webgpu/caps.js';

/** The workgroup tile shape both K loops share: TM×TN outputs, TKQ words (4·TKQ values) of K per step. */
export interface Int8TileShape {
  tm: number;
  tn: number;
  tkq: number;
}

/** The adapter multiplies 16×16×32 i8 subgroup matrices into i32 ones, in subgroups of 32. */
export function hasI8Mma(caps: DeviceCaps): boolean {
  return caps.subgroupSize === 32
    && caps.subgroupMatrix.some((m) => m.componentType === 'i8' && m.resultComponentType === 'i32' && m.M === 16 && m.N === 16 && m.K === 32);
}

/** Words of workgroup memory: the staged operands, then (reusing them) the tile's i32 results. */
export const int8MmaWords = (t: Int8TileShape): number => Math.max((t.tm + t.tn) * t.tkq, t.tm * t.tn);

/** Why subgroup matrices cannot run tile `t` here, or undefined. */
export function int8MmaUnfit(t: Int8TileShape, caps: DeviceCaps): string | undefined {
  if (!hasI8Mma(caps)) return 'the device offers no i8 16×16×32 subgroup matrices in subgroups of 32';
  if (t.tm % 16 !== 0 || t.tn % 32 !== 0 || t.tkq % 8 !== 0) return 'the tile is not made of 16×32 blocks and 32-deep K steps';
  if (int8MmaWords(t) * 4 > caps.maxWorkgroupStorage) return 'workgroup storage exceeds the device limit';
  return undefined;
}

/** Directives the program must start with. */
export const INT8_MMA_DIRECTIVES = 'diagnostic(off, chromium.subgroup_matrix_uniformity);\nenable chromium_experimental_subgroup_matrix;\n';

/**
 * The K loop: `stageA(e, s)` / `stageB(e, s)` are WGSL statements yielding the u32 word `w` of
 * A element e (row e / TKQ, word e % TKQ) and B element e of step s. Ends with `acc` (a
 * 4×4 i32 array per thread, block (ty, tx)) filled as the dot4I8Packed loop fills it.
 */
export function int8MmaLoop(t: Int8TileShape, threads: number, steps: number, stageA: string, stageB: string, unit: 'byte' | 'word' = 'word'): { decls: string; loop: string } {
  const u = unit === 'byte' ? 1 : 4; // bytes per unit of offset and stride
  const rowBytes = 4 * t.tkq;
  const row = rowBytes / u;
  const bBase = t.tm * t.tkq; // words
  const kSlices = rowBytes / 32;
  const products = Array.from({ length: kSlices }, (_, s) => `      {
        let a = subgroupMatrixLoad<subgroup_matrix_left<i8, 32, 16>, row_major>(&Ws, sm * ${row}u + ${(s * 32) / u}u, ${row}u);
        let b0 = subgroupMatrixLoad<subgroup_matrix_right<i8, 16, 32>, col_major>(&Ws, ${(bBase * 4) / u}u + sn * ${row}u + ${(s * 32) / u}u, ${row}u);
        let b1 = subgroupMatrixLoad<subgroup_matrix_right<i8, 16, 32>, col_major>(&Ws, ${(bBase * 4) / u}u + (sn + 16u) * ${row}u + ${(s * 32) / u}u, ${row}u);
        c0 = subgroupMatrixMultiplyAccumulate(a, b0, c0);
        c1 = subgroupMatrixMultiplyAccumulate(a, b1, c1);
      }`).join('\n');
  const rq = [0, 1, 2, 3];
  const loop = `  let sg = tid / 32u;
  let sm = (sg / ${t.tn / 32}u) * 16u;
  let sn = (sg % ${t.tn / 32}u) * 32u;
  var c0 = subgroup_matrix_result<i32, 16, 16>();
  var c1 = subgroup_matrix_result<i32, 16, 16>();
  for (var s = 0u; s < ${steps}u; s = s + 1u) {
    for (var e = tid; e < ${t.tm * t.tkq}u; e = e + ${threads}u) {
      ${stageA}
      Ws[e] = bitcast<i32>(w);
    }
    for (var e = tid; e < ${t.tn * t.tkq}u; e = e + ${threads}u) {
      ${stageB}
      Ws[${bBase}u + e] = bitcast<i32>(w);
    }
    workgroupBarrier();
${products}
    workgroupBarrier();
  }
  subgroupMatrixStore<row_major>(&Ws, sm * ${t.tn}u + sn, c0, ${t.tn}u);
  subgroupMatrixStore<row_major>(&Ws, sm * ${t.tn}u + sn + 16u, c1, ${t.tn}u);
  workgroupBarrier();
  var acc: array<array<i32, 4>, 4>;
${rq.flatMap((i) => rq.map((j) => `  acc[${i}][${j}] = Ws[(ty * 4u + ${i}u) * ${t.tn}u + tx * 4u + ${j}u];`)).join('\n')}`;
  return { decls: `var<workgroup> Ws: array<i32, ${int8MmaWords(t)}>;`, loop };
}
