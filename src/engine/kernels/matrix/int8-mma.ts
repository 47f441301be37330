// The int8 tile's K loop on subgroup matrices (tensor cores: Dawn's chromium-experimental-subgroup-
// matrix with i8×i8→i32 16×16×32 tiles). The workgroup stages the same words as the dot4I8Packed
// loop (A as TM rows of TKQ words, B as TN rows, four K values to a word; rows padded to
// stagedRow words against bank conflicts), so A is a row-major and B a column-major i8 matrix
// with a stride of one staged row; each 32-lane subgroup multiplies a
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
import { stageStores, type OperandStage, type StepRange } from './int8-stage.js';

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

/**
 * Words from one staged operand row to the next: TKQ and 4 more. A matrix load reads 16 or 32 bytes
 * of eight rows at once; rows TKQ words apart (16 or 8) put every other (or every fourth) row on
 * the same memory banks, and four more words give each of the eight its own banks.
 */
export const stagedRow = (t: Int8TileShape): number => t.tkq + 4;

/** i32 words from one staged result row to the next: TN and 8 more (the 8×8 accumulator quarters a store writes fall on distinct banks). */
export const resultRow = (t: Int8TileShape): number => t.tn + 8;

/** Words of workgroup memory: the staged operands, then (reusing them) the tile's i32 results. */
export const int8MmaWords = (t: Int8TileShape): number => Math.max((t.tm + t.tn) * stagedRow(t), t.tm * resultRow(t));

/** Why subgroup matrices cannot run tile `t` here, or undefined. */
export function int8MmaUnfit(t: Int8TileShape | Int8BlockShape, caps: DeviceCaps): string | undefined {
  if (!hasI8Mma(caps)) return 'the device offers no i8 16×16×32 subgroup matrices in subgroups of 32';
  if ('rm' in t) {
    const bad = int8BlockUnfit(t);
    if (bad) return bad;
  } else if (t.tm % 16 !== 0 || t.tn % 32 !== 0 || t.tkq % 8 !== 0) return 'the tile is not made of 16×32 blocks and 32-deep K steps';
  if (('rm' in t ? int8BlockWords(t) : int8MmaWords(t)) * 4 > caps.maxWorkgroupStorage) return 'workgroup storage exceeds the device limit';
  return undefined;
}

/** Directives the program must start with. */
export const INT8_MMA_DIRECTIVES = 'diagnostic(off, chromium.subgroup_matrix_uniformity);\nenable chromium_experimental_subgroup_matrix;\n';

/**
 * The K loop: `stageA` / `stageB` fetch step s's words of A ([TM][TKQ]) and B ([TN][TKQ])
 * (int8-stage.ts). Ends with `acc` (a 4×4 i32 array per thread, block (ty, tx)) filled as the
 * dot4I8Packed loop fills it.
 */
export function int8MmaLoop(t: Int8TileShape, threads: number, steps: StepRange, stageA: OperandStage, stageB: OperandStage, unit: 'byte' | 'word' = 'word'): { decls: string; loop: string } {
  const u = unit === 'byte' ? 1 : 4; // bytes per unit of offset and stride
  const row = (4 * stagedRow(t)) / u;
  const bBase = t.tm * stagedRow(t); // words
  const res = resultRow(t);
  const kSlices = (4 * t.tkq) / 32;
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
  for (var s = ${steps.begin}; s < ${steps.end}; s = s + 1u) {
    for (var e = tid; e < ${stageA.count}u; e = e + ${threads}u) {
      ${stageA.load}
      ${stageStores(stageA, 'Ws', '', (v) => `bitcast<i32>(${v})`)}
    }
    for (var e = tid; e < ${stageB.count}u; e = e + ${threads}u) {
      ${stageB.load}
      ${stageStores(stageB, 'Ws', `${bBase}u + `, (v) => `bitcast<i32>(${v})`)}
    }
    workgroupBarrier();
${products}
    workgroupBarrier();
  }
  subgroupMatrixStore<row_major>(&Ws, sm * ${res}u + sn, c0, ${res}u);
  subgroupMatrixStore<row_major>(&Ws, sm * ${res}u + sn + 16u, c1, ${res}u);
  workgroupBarrier();
  var acc: array<array<i32, 4>, 4>;
${rq.flatMap((i) => rq.map((j) => `  acc[${i}][${j}] = Ws[(ty * 4u + ${i}u) * ${res}u + tx * 4u + ${j}u];`)).join('\n')}`;
  return { decls: `var<workgroup> Ws: array<i32, ${int8MmaWords(t)}>;`, loop };
}

/** A tile whose subgroups each multiply an RM×RN block (several result matrices) of it. */
export interface Int8BlockShape extends Int8TileShape {
  rm: number;
  rn: number;
}

/** Invocations of a blocked tile: one subgroup of 32 per RM×RN block. */
export const int8BlockThreads = (t: Int8BlockShape): number => (t.tm / t.rm) * (t.tn / t.rn) * 32;

/** Rows of the tile one store pass hands to the epilogue (every invocation a 4×4 block of them). */
export const int8BlockPassRows = (t: Int8BlockShape): number => (int8BlockThreads(t) * 16) / t.tn;

/** Words of a blocked tile's workgroup memory: the staged operands, then (reusing them) one pass of results. */
export const int8BlockWords = (t: Int8BlockShape): number => Math.max((t.tm + t.tn) * stagedRow(t), int8BlockPassRows(t) * resultRow(t));

/** Why the blocked tile's shape does not work, or undefined. */
export function int8BlockUnfit(t: Int8BlockShape): string | undefined {
  const threads = int8BlockThreads(t);
  const rows = int8BlockPassRows(t);
  if (t.rm % 16 !== 0 || t.rn % 16 !== 0 || t.tm % t.rm !== 0 || t.tn % t.rn !== 0 || t.tkq % 8 !== 0) return 'the tile is not made of its subgroups\' blocks and 32-deep K steps';
  if (!Number.isInteger(rows) || rows % t.rm !== 0 || t.tm % rows !== 0) return 'a store pass does not cover whole subgroup blocks';
  return undefined;
}

/**
 * The blocked K loop: each subgroup keeps (RM/16)×(RN/16) i32 result matrices, so one left matrix
 * serves RN/16 products and one right matrix RM/16; each invocation fetches its share of the next
 * step's words into registers while the current step is multiplied. `stageA`/`stageB` as for
 * int8MmaLoop. `pass(p)` is the WGSL that, after the loop, fills `acc` (declared by the loop) with
 * the invocation's 4×4 block of rows [p·R, (p+1)·R) of the tile, R = int8BlockPassRows.
 */
export function int8MmaBlockLoop(t: Int8BlockShape, steps: StepRange, stageA: OperandStage, stageB: OperandStage, unit: 'byte' | 'word' = 'word'): { decls: string; loop: string; pass: (p: string) => string; passes: number } {
  const threads = int8BlockThreads(t);
  const u = unit === 'byte' ? 1 : 4;
  const row = (4 * stagedRow(t)) / u;
  const bBase = t.tm * stagedRow(t);
  const res = resultRow(t);
  const mi = Array.from({ length: t.rm / 16 }, (_, i) => i);
  const nj = Array.from({ length: t.rn / 16 }, (_, j) => j);
  const perRow = t.tn / t.rn;
  // each invocation's iterations of a stage (the last guarded when they do not divide evenly)
  const iterations = (st: OperandStage) => Array.from({ length: Math.ceil(st.count / threads) }, (_, i) => ({ i, guard: (i + 1) * threads > st.count ? `if (e < ${st.count}u) ` : '' }));
  const regs = (st: OperandStage, r: string, i: number) => Array.from({ length: st.words }, (_, q) => `${r}[${i * st.words + q}]`);
  const fetchOne = (st: OperandStage, r: string, step: string) => iterations(st).map(({ i, guard }) =>
    `    { let e = tid + ${i * threads}u; ${guard}{ let s = ${step}; ${st.load}\n      ${regs(st, r, i).map((x, q) => `${x} = w${q};`).join(' ')} } }`);
  const storeOne = (st: OperandStage, r: string, base: string) => iterations(st).map(({ i, guard }) =>
    `    { let e = tid + ${i * threads}u; ${guard}{ ${regs(st, r, i).map((x, q) => `Ws[${base}${st.index(q)}] = bitcast<i32>(${x});`).join(' ')} } }`);
  const fetch = (step: string) => [...fetchOne(stageA, 'ra', step), ...fetchOne(stageB, 'rb', step)].join('\n');
  const products = Array.from({ length: (4 * t.tkq) / 32 }, (_, s) => `    {
${mi.map((i) => `      let a${i} = subgroupMatrixLoad<subgroup_matrix_left<i8, 32, 16>, row_major>(&Ws, (sm + ${16 * i}u) * ${row}u + ${(s * 32) / u}u, ${row}u);`).join('\n')}
${nj.map((j) => `      let b${j} = subgroupMatrixLoad<subgroup_matrix_right<i8, 16, 32>, col_major>(&Ws, ${(bBase * 4) / u}u + (sn + ${16 * j}u) * ${row}u + ${(s * 32) / u}u, ${row}u);`).join('\n')}
${mi.flatMap((i) => nj.map((j) => `      c${i}_${j} = subgroupMatrixMultiplyAccumulate(a${i}, b${j}, c${i}_${j});`)).join('\n')}
    }`).join('\n');
  const loop = `  let sg = tid / 32u;
  let sm = (sg / ${perRow}u) * ${t.rm}u;
  let sn = (sg % ${perRow}u) * ${t.rn}u;
${mi.flatMap((i) => nj.map((j) => `  var c${i}_${j} = subgroup_matrix_result<i32, 16, 16>();`)).join('\n')}
  var ra: array<u32, ${Math.ceil(stageA.count / threads) * stageA.words}>;
  var rb: array<u32, ${Math.ceil(stageB.count / threads) * stageB.words}>;
${fetch(steps.begin)}
  for (var k = ${steps.begin}; k < ${steps.end}; k = k + 1u) {
${[...storeOne(stageA, 'ra', ''), ...storeOne(stageB, 'rb', `${bBase}u + `)].join('\n')}
    workgroupBarrier();
    if (k + 1u < ${steps.end}) {
${fetch('k + 1u')}
    }
${products}
    workgroupBarrier();
  }
  var acc: array<array<i32, 4>, 4>;`;
  const rows = int8BlockPassRows(t);
  const rq = [0, 1, 2, 3];
  const pass = (p: string) => `    workgroupBarrier();
    if (sm / ${rows}u == ${p}) {
${mi.flatMap((i) => nj.map((j) => `      subgroupMatrixStore<row_major>(&Ws, (sm % ${rows}u + ${16 * i}u) * ${res}u + sn + ${16 * j}u, c${i}_${j}, ${res}u);`)).join('\n')}
    }
    workgroupBarrier();
${rq.flatMap((i) => rq.map((j) => `    acc[${i}][${j}] = Ws[(ty * 4u + ${i}u) * ${res}u + tx * 4u + ${j}u];`)).join('\n')}`;
  return { decls: `var<workgroup> Ws: array<i32, ${int8BlockWords(t)}>;`, loop, pass, passes: t.tm / rows };
}
