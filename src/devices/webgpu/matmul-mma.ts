// The tiled matrix product on subgroup matrices (tensor cores where the adapter has them: Dawn's
// chromium-experimental-subgroup-matrix). Same problem and parts as the SIMT tile loop
// (matmul-tile.ts: loadA/loadB4 in, storeC out), so every matrix layer that takes that loop takes
// this one: the workgroup stages TK-deep f16 slices of A and B in workgroup memory exactly as the
// half tiles do (the next slice is fetched into registers while the current one is multiplied);
// each subgroup multiplies its RM×RN block as 16×16×16 f16 matrices into f32 result matrices; at
// the end each result matrix goes through a small per-subgroup f32 staging area so that every lane
// can hand pairs of columns to storeC (the epilogue: bias, activation, residual, output format).
//
// Subgroup-matrix loads and stores need offsets uniform over the subgroup. A subgroup's block is
// chosen by local_invocation_index / subgroup size, which is uniform in fact but not to WGSL's
// uniformity analysis, so its diagnostic is turned off. Sizes are baked into the WGSL (the engine).
import type { DeviceCaps } from './caps.js';
import { slicePipeline } from './matmul-slices.js';
import { fetchAFunction, grid, mmaStrides, tileName, tileSubgroups, tileThreads, tileUnfit, type MatmulProblem, type TileConfig } from './matmul-tile.js';

const rq = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The subgroup-matrix tile-loop shader over `parts` (the problem's WGSL) and \`storeC\`. */
export function mmaTileLoop<B>(p: MatmulProblem<B>, c: TileConfig, splits: number, caps: DeviceCaps, parts: string, storeC: string): { wgsl: string; workgroups: [number, number, number] } {
  const unfit = c.mma ? tileUnfit(c, caps, p, splits) : 'not a subgroup-matrix tile';
  if (unfit) throw new Error(`tile ${tileName(c)}: ${unfit}`);
  const sgSize = c.mma!;
  const threads = tileThreads(c);
  const { sa: SA, sb: SB } = mmaStrides(c);
  const TK4 = c.tk / 4;
  const TN4 = c.tn / 4;
  const tilesM = Math.ceil(p.m / c.tm);
  const tilesN = Math.ceil(p.n / c.tn);
  const tilesK = Math.ceil(p.k / c.tk);
  const [gx, gy] = grid(tilesM * tilesN, caps)!;
  const chunk = Math.ceil(tilesK / splits);
  const rowsChecked = p.m % c.tm !== 0;
  const kChecked = p.k % c.tk !== 0;
  const MI = c.rm / 16;
  const NI = c.rn / 16;
  const perRow = c.tn / c.rn; // subgroups across the tile's columns
  // the slices staged as f16 scalars in rows padded to SA and SB (subgroupMatrixLoad reads them)
  const put = (arr: string, v: string) => rq(4).map((e) => `${arr}[at + ${e}u] = f16(${v}.${'xyzw'[e]});`).join(' ');
  const slices = slicePipeline(c, threads, rowsChecked, {
    a: (i, v) => `let q = tid + ${i * threads}u; let at = (q / ${TK4}u) * ${SA}u + (q % ${TK4}u) * 4u; ${put('As', v)}`,
    b: (i, v) => `let q = tid + ${i * threads}u; let at = (q / ${TN4}u) * ${SB}u + (q % ${TN4}u) * 4u; ${put('Bs', v)}`,
    bk: (v) => rq(4).map((e) => `Bs[(kk + ${e}u) * ${SB}u + nn] = f16(${v}.${'xyzw'[e]});`).join(' '),
  }, p.bKQuads);

  const accDecl = rq(MI).flatMap((i) => rq(NI).map((j) => `  var acc${i}_${j} = subgroup_matrix_result<f32, 16, 16>();`)).join('\n');
  const products = rq(c.tk / 16).map((s) => {
    const lefts = rq(MI).map((i) => `      let a${i} = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(&As, (sm + ${i * 16}u) * ${SA}u + ${s * 16}u, ${SA}u);`);
    const rights = rq(NI).map((j) => `      let b${j} = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(&Bs, ${s * 16 * SB}u + sn + ${j * 16}u, ${SB}u);`);
    const mads = rq(MI).flatMap((i) => rq(NI).map((j) => `      acc${i}_${j} = subgroupMatrixMultiplyAccumulate(a${i}, b${j}, acc${i}_${j});`));
    return `    {\n${[...lefts, ...rights, ...mads].join('\n')}\n    }`;
  }).join('\n');

  // each result matrix: stored to the subgroup's 16×16 staging area, then 128 column pairs over the lanes
  const pairsPerLane = Math.ceil(128 / sgSize);
  const stores = rq(MI).flatMap((i) => rq(NI).map((j) => `  subgroupMatrixStore<row_major>(&Cs, sg * 256u, acc${i}_${j}, 16u);
  workgroupBarrier();
  for (var e = 0u; e < ${pairsPerLane}u; e = e + 1u) {
    let q = lane + e * ${sgSize}u;
    let r = q / 8u;
    let cc = (q % 8u) * 2u;
    let m = m0 + sm + ${i * 16}u + r;
    let n = n0 + sn + ${j * 16}u + cc;
    if (q < 128u${rowsChecked ? ' && m < dimM' : ''}) { storeC(wid.z, m, n, vec2<f32>(Cs[sg * 256u + r * 16u + cc], Cs[sg * 256u + r * 16u + cc + 1u])); }
  }
  workgroupBarrier();`)).join('\n');

  const wgsl = `diagnostic(off, chromium.subgroup_matrix_uniformity);
enable f16;
enable chromium_experimental_subgroup_matrix;
${parts}
var<private> grp: u32;
const M = ${p.m}u;
const N = ${p.n}u;
const K = ${p.k}u;
const dimM = M;
const dimN = N;
const dimK = K;
var<workgroup> As: array<f16, ${c.tm * SA}>;
var<workgroup> Bs: array<f16, ${c.tk * SB}>;
var<workgroup> Cs: array<f32, ${tileSubgroups(c) * 256}>;

${fetchAFunction(p.aQuads, kChecked)}
${storeC}

@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let tile = wid.y * ${gx}u + wid.x;
  ${gx * gy > tilesM * tilesN ? `if (tile >= ${tilesM * tilesN}u) { return; }` : ''}
  let m0 = (tile / ${tilesN}u) * ${c.tm}u;
  let n0 = (tile % ${tilesN}u) * ${c.tn}u;
  grp = wid.z / ${splits}u;
  let t0 = (wid.z % ${splits}u) * ${chunk}u;
  let t1 = min(t0 + ${chunk}u, ${tilesK}u);
  let sg = tid / ${sgSize}u;
  let lane = tid % ${sgSize}u;
  let sm = (sg / ${perRow}u) * ${c.rm}u;
  let sn = (sg % ${perRow}u) * ${c.rn}u;
${slices.rows}
${accDecl}
${slices.registers}
  for (var t = t0; t < t1; t = t + 1u) {
${slices.step}
${products}
  }
${stores}
}
`;
  return { wgsl, workgroups: [gx, gy, p.groups * splits] };
}
