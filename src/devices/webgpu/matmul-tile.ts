// The tiled matrix product C[M,N] = A[M,K]·B[K,N] of the engine and the framework, written once
// and specialized per use: callers supply WGSL that loads A (read through any format and im2col
// addressing), B (readable up to whole tiles) and an epilogue that stores pairs of C columns. A
// workgroup computes a TM×TN tile, each thread an RM×RN register block; TK-deep slices of A and B
// are staged in workgroup memory as vec4s, and the next slice is fetched into registers while the
// current one is multiplied. Half tiles (devices with shader-f16) stage the slices as vec4<f16>
// (half the workgroup memory) and multiply in f16, summing each TK-deep slice in f16 registers
// before adding it to the f32 accumulators. The template's names are dimM/dimN/dimK, As, Bs, fetchA, storeC (and,
// with baked sizes, M, N, K, grp). Sizes are baked into the WGSL (the engine) or read at run time from
// uniforms (the framework, whose pipelines are cached across shapes). The binding type B is the
// caller's (the engine's EngineBinding, the framework's BufferRef): this file only threads it through.
import type { DeviceCaps } from './caps.js';
import { slicePipeline } from './matmul-slices.js';

/**
 * Workgroup tile TM×TN, depth TK, per-thread register block RM×RN (RN a multiple of 4); `half`:
 * f16 slices and products, f32 accumulators (needs shader-f16). `mma` (the subgroup size): a
 * subgroup-matrix tile (matmul-mma.ts), where RM×RN is the block of one subgroup, made of 16×16
 * f16 × f16 → f32 matrices.
 */
export interface TileConfig {
  tm: number;
  tn: number;
  tk: number;
  rm: number;
  rn: number;
  half?: boolean;
  mma?: number;
}

export const tileName = (c: TileConfig): string => (c.mma ? `${c.tm}x${c.tn}x${c.tk}-w${c.rm}x${c.rn}-mma` : `${c.tm}x${c.tn}x${c.tk}-r${c.rm}x${c.rn}${c.half ? '-f16' : ''}`);
/** Subgroups of a subgroup-matrix tile. */
export const tileSubgroups = (c: TileConfig): number => (c.tm / c.rm) * (c.tn / c.rn);
export const tileThreads = (c: TileConfig): number => tileSubgroups(c) * (c.mma ?? 1);
/** Row strides (elements) of a subgroup-matrix tile's staged A and B slices: padded by 16 bytes against bank conflicts. */
export const mmaStrides = (c: TileConfig): { sa: number; sb: number } => ({ sa: c.tk + 8, sb: c.tn + 8 });
/** Workgroup memory of a tile program: the A and B slices (and a subgroup-matrix tile's 16×16 f32 result per subgroup). */
export const tileStorage = (c: TileConfig): number => {
  if (!c.mma) return (c.tm * c.tk + c.tk * c.tn) * (c.half ? 2 : 4);
  const { sa, sb } = mmaStrides(c);
  return (c.tm * sa + c.tk * sb) * 2 + tileSubgroups(c) * 256 * 4;
};

/** The adapter multiplies 16×16×16 f16 subgroup matrices into f32 ones (what subgroup-matrix tiles use). */
export function hasF16Mma(caps: DeviceCaps): boolean {
  return caps.shaderF16 && caps.subgroupSize !== undefined
    && caps.subgroupMatrix.some((m) => m.componentType === 'f16' && m.resultComponentType === 'f32' && m.M === 16 && m.N === 16 && m.K === 16);
}
export const roundUp = (x: number, m: number): number => Math.ceil(x / m) * m;

/** WGSL for one part of a program and the bindings it declares, numbered from `first`. */
export interface WgslPart<B> {
  wgsl: string;
  bindings: B[];
}
export type PartBuilder<B> = (first: number) => WgslPart<B>;

export interface MatmulProblem<B> {
  m: number;
  n: number;
  k: number;
  /** Independent products of this size (conv groups): parts read the private `grp`. */
  groups: number;
  /**
   * Declares `ARow` (per-row addressing computed once per thread, outside the K loop),
   * `fn rowA(m: u32) -> ARow` (m < M), `fn loadA(r: ARow, k: u32) -> f32` (k < K) and, when
   * `aQuads`, `fn loadA4(r: ARow, k: u32) -> vec4<f32>` (k % 4 == 0, k + 3 < K).
   */
  a: PartBuilder<B>;
  aQuads: boolean;
  /**
   * `fn loadB4(k: u32, n: u32) -> vec4<f32>` (n % 4 == 0), readable (zero) up to whole tiles in k and
   * n; with `bKQuads`, `fn loadB4k(k: u32, n: u32) -> vec4<f32>` instead: B[k..k+3][n] (k % 4 == 0).
   */
  b: PartBuilder<B>;
  /** B's K axis is contiguous in memory (a transposed operand): the slices read it in quads along K. */
  bKQuads?: boolean;
  /** `fn store2(m: u32, n: u32, v: vec2<f32>)` (n even, n + 1 < N) and, N odd, `fn store1(m, n, v: f32)`. */
  epilogue: PartBuilder<B>;
}

/** Why the config cannot run on this device or shape, or undefined when it can. */
export function tileUnfit(c: TileConfig, caps: DeviceCaps, p: { m: number; n: number; groups: number }, splits = 1): string | undefined {
  const threads = tileThreads(c);
  if (c.rn % 4 !== 0 || c.tk % 4 !== 0 || c.tm % c.rm !== 0 || c.tn % c.rn !== 0) return 'malformed tile';
  if (c.half && !caps.shaderF16) return 'f16 tiles need shader-f16';
  if (c.mma) {
    if (c.rm % 16 !== 0 || c.rn % 16 !== 0 || c.tk % 16 !== 0) return 'malformed subgroup-matrix tile';
    if (!hasF16Mma(caps)) return 'the device multiplies no 16×16×16 f16 subgroup matrices';
    if (caps.subgroupSize !== c.mma) return `tile made for subgroups of ${c.mma}, the device's are ${caps.subgroupSize ?? 'of varying size'}`;
  }
  if (threads % (c.tk / 4) !== 0 || threads % (c.tn / 4) !== 0) return 'threads do not cover the slices evenly';
  if (threads > caps.maxInvocationsPerWorkgroup) return `${threads} invocations exceed the device's ${caps.maxInvocationsPerWorkgroup}`;
  if (tileStorage(c) > caps.maxWorkgroupStorage) return 'workgroup storage exceeds the device limit';
  if (p.groups * splits > caps.maxWorkgroupsPerDimension) return 'too many groups × splits';
  if (grid(Math.ceil(p.m / c.tm) * Math.ceil(p.n / c.tn), caps) === undefined) return 'too many tiles';
  return undefined;
}

/** A 2-D grid of at least `count` workgroups within the per-dimension limit. */
export function grid(count: number, caps: DeviceCaps): [number, number] | undefined {
  const x = Math.min(count, caps.maxWorkgroupsPerDimension);
  const y = Math.ceil(count / x);
  return y > caps.maxWorkgroupsPerDimension ? undefined : [x, y];
}

/**
 * Sizes known only at run time: WGSL expressions (uniforms) of M, N, K, and statements run first in
 * `main` with \`batch\` (workgroup z, one of \`groups\`) in scope; the caller declares \`grp\` if it uses it.
 */
export interface RuntimeDims {
  M: string;
  N: string;
  K: string;
  prologue: string;
}

/** The usual case: the epilogue's stores, a single one for the last column when N is odd (or unknown). */
export function storeFinal(N: number | undefined): string {
  return N !== undefined && N % 2 === 0
    ? 'fn storeC(z: u32, m: u32, n: u32, v: vec2<f32>) { if (n < dimN) { store2(m, n, v); } }'
    : 'fn storeC(z: u32, m: u32, n: u32, v: vec2<f32>) { if (n + 1u < dimN) { store2(m, n, v); } else if (n < dimN) { store1(m, n, v.x); } }';
}

/** Split-K partials: plain [groups·splits, M, N] f32 in scratch (z = group·splits + split). */
export function storePartial(): string {
  return `fn storeC(z: u32, m: u32, n: u32, v: vec2<f32>) {
  let i = (z * dimM + m) * dimN + n;
  if (n < dimN) { part[i] = v.x; }
  if (n + 1u < dimN) { part[i + 1u] = v.y; }
}`;
}

/** `fetchA(r, k)`: the A quad at row r, columns k..k+3, zeros past K when `kChecked`. */
export function fetchAFunction(aQuads: boolean, kChecked: boolean): string {
  const body = aQuads
    ? kChecked
      ? `if (k + 3u < dimK) { return loadA4(r, k); }
  var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j = j + 1u) { if (k + j < dimK) { v[j] = loadA(r, k + j); } }
  return v;`
      : 'return loadA4(r, k);'
    : kChecked
      ? `var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j = j + 1u) { if (k + j < dimK) { v[j] = loadA(r, k + j); } }
  return v;`
      : 'return vec4<f32>(loadA(r, k), loadA(r, k + 1u), loadA(r, k + 2u), loadA(r, k + 3u));';
  return `fn fetchA(r: ARow, k: u32) -> vec4<f32> {
  ${body}
}`;
}

/**
 * The tile-loop shader over `parts` (the problem's WGSL) and \`storeC\`; with `dims`, a plain
 * tiles-N × tiles-M × groups grid (split-K needs baked sizes).
 */
export function tileLoop<B>(p: MatmulProblem<B>, c: TileConfig, splits: number, caps: DeviceCaps, parts: string, storeC: string, dims?: RuntimeDims): { wgsl: string; workgroups: [number, number, number] } {
  const threads = tileThreads(c);
  const TX = c.tn / c.rn;
  const TK4 = c.tk / 4;
  const TN4 = c.tn / 4;
  const quadsA = (c.tm * c.tk) / 4;
  const quadsB = (c.tk * c.tn) / 4;
  const tilesM = Math.ceil(p.m / c.tm);
  const tilesN = Math.ceil(p.n / c.tn);
  const tilesK = Math.ceil(p.k / c.tk);
  if (dims && splits !== 1) throw new Error('split-K needs sizes known when the shader is generated');
  const [gx, gy] = dims ? [tilesN, tilesM] : grid(tilesM * tilesN, caps)!;
  const chunk = Math.ceil(tilesK / splits);
  const rowsChecked = dims !== undefined || p.m % c.tm !== 0;
  const kChecked = dims !== undefined || p.k % c.tk !== 0;
  const rq = (n: number) => Array.from({ length: n }, (_, i) => i);

  // the slices staged as vec4s (of f16 in half tiles), quad by quad in the slice's order
  const slices = slicePipeline(c, threads, rowsChecked, {
    a: (i, v) => `As[tid + ${i * threads}u] = ${c.half ? `vec4<f16>(${v})` : v};`,
    b: (i, v) => `Bs[tid + ${i * threads}u] = ${c.half ? `vec4<f16>(${v})` : v};`,
    bk: (v) => rq(4).map((e) => `Bs[(kk + ${e}u) * ${TN4}u + nn / 4u][nn % 4u] = ${c.half ? `f16(${v}.${'xyzw'[e]})` : `${v}.${'xyzw'[e]}`};`).join(' '),
  }, p.bKQuads);

  // Thread (tx, ty) owns rows ty·RM + i and column quads (q·TX + tx)·4: reads of B across a warp
  // are consecutive vec4s (no bank conflicts), and A reads are broadcasts.
  const RQ = c.rn / 4;
  const accDecl = rq(c.rm).flatMap((i) => rq(RQ).map((q) => `  var c${i}_${q} = vec4<f32>(0.0);`)).join('\n');
  // half tiles: the slice's products summed in f16 (h), then added to the f32 accumulator (c)
  const acc = c.half ? 'h' : 'c';
  const vt = c.half ? 'vec4<f16>' : 'vec4<f32>';
  const sliceDecl = c.half ? rq(c.rm).flatMap((i) => rq(RQ).map((q) => `    var h${i}_${q} = vec4<f16>(0.0);`)).join('\n') : '';
  const sliceFlush = c.half ? rq(c.rm).flatMap((i) => rq(RQ).map((q) => `    c${i}_${q} = c${i}_${q} + vec4<f32>(h${i}_${q});`)).join('\n') : '';
  const aRead = rq(c.rm).map((i) => `      let a${i} = As[(ty * ${c.rm}u + ${i}u) * ${TK4}u + kq];`).join('\n');
  const comps = ['x', 'y', 'z', 'w'];
  const mac = rq(4).map((j) => {
    const bs = rq(RQ).map((q) => `      let b${j}_${q} = Bs[(kq * 4u + ${j}u) * ${TN4}u + ${q * TX}u + tx];`).join('\n');
    const fmas = rq(c.rm).flatMap((i) => rq(RQ).map((q) => `      ${acc}${i}_${q} = fma(${vt}(a${i}.${comps[j]}), b${j}_${q}, ${acc}${i}_${q});`)).join('\n');
    return `${bs}\n${fmas}`;
  }).join('\n');
  const stores = rq(c.rm).flatMap((i) => rq(RQ).map((q) => {
    const m = `m0 + ty * ${c.rm}u + ${i}u`;
    const n = `n0 + (${q * TX}u + tx) * 4u`;
    const body = `storeC(wid.z, m, n, c${i}_${q}.xy); storeC(wid.z, m, n + 2u, c${i}_${q}.zw);`;
    return `  { let m = ${m}; let n = ${n};${rowsChecked ? ' if (m < dimM) {' : ''} ${body}${rowsChecked ? ' }' : ''} }`;
  })).join('\n');

  const wgsl = `${parts}
${dims ? 'var<private> dimM: u32;\nvar<private> dimN: u32;\nvar<private> dimK: u32;' : `var<private> grp: u32;
const M = ${p.m}u;
const N = ${p.n}u;
const K = ${p.k}u;
const dimM = M;
const dimN = N;
const dimK = K;`}
var<workgroup> As: array<${vt}, ${quadsA}>;
var<workgroup> Bs: array<${vt}, ${quadsB}>;

${fetchAFunction(p.aQuads, kChecked)}
${storeC}

@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
${dims ? runtimeStart(dims, c) : `  let tile = wid.y * ${gx}u + wid.x;
  ${gx * gy > tilesM * tilesN ? `if (tile >= ${tilesM * tilesN}u) { return; }` : ''}
  let m0 = (tile / ${tilesN}u) * ${c.tm}u;
  let n0 = (tile % ${tilesN}u) * ${c.tn}u;
  grp = wid.z / ${splits}u;
  let t0 = (wid.z % ${splits}u) * ${chunk}u;
  let t1 = min(t0 + ${chunk}u, ${tilesK}u);`}
  let tx = tid % ${TX}u;
  let ty = tid / ${TX}u;
${slices.rows}
${accDecl}
${slices.registers}
  for (var t = t0; t < t1; t = t + 1u) {
${slices.step}
${sliceDecl}
    for (var kq = 0u; kq < ${TK4}u; kq = kq + 1u) {
${aRead}
${mac}
    }
${sliceFlush}
  }
${stores}
}
`;
  return { wgsl, workgroups: [gx, gy, p.groups * splits] };
}

/** Start of main with run-time sizes: the grid is tiles-N × tiles-M × groups, and K is walked whole. */
function runtimeStart(d: RuntimeDims, c: TileConfig): string {
  return `  dimM = ${d.M};
  dimN = ${d.N};
  dimK = ${d.K};
  let batch = wid.z;
  ${d.prologue}
  let m0 = wid.y * ${c.tm}u;
  let n0 = wid.x * ${c.tn}u;
  let t0 = 0u;
  let t1 = (${d.K} + ${c.tk - 1}u) / ${c.tk}u; // from the uniform itself: barriers in the loop need a uniform bound`;
}
