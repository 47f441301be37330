// The int8 tiled matrix product: C[M,N] = Σ_k (A[m,k] − zA)·B[k,n] accumulated in i32 through
// WGSL's dot4I8Packed (four int8 products per instruction), then an epilogue per output channel:
// + int32 bias, × multiplier, ReLU, and either requantization to int8/uint8 (round half to even,
// + zero point, saturate) or dequantization to f32. A workgroup computes a TM×TN tile, each thread
// a 4×4 block; TKQ words (4·TKQ values of K) of A and B are staged in workgroup memory per step.
// uint8 A is turned into int8 by flipping the top bit of each byte (a − 128), the zero point with it.
// Four int8 results share one u32, so a thread stores whole words: four columns of one row
// (`row4`), four rows of one column (`col4`), or, when neither lines up with the output's words,
// the results go to scratch as i32 and a second program packs them (`scratch`).
import type { DeviceCaps } from '../../../devices/webgpu/caps.js';
import type { Activation } from '../../network.js';
import { declareTensor, loaders, type Storage } from '../../../devices/webgpu/storage.js';
import { grid, roundUp, type PartBuilder } from '../matmul-tile.js';
import type { EngineProgram, Tactic } from '../tactic.js';
import { INT8_MMA_DIRECTIVES, int8BlockThreads, int8MmaBlockLoop, int8MmaLoop, int8MmaUnfit, type Int8TileShape } from './int8-mma.js';
import { int8Finish } from './int8-epilogue.js';
import { quadStage, stageStores, wordStage, type OperandStage } from './int8-stage.js';
import { channelParams, packWeightWords, type ChannelSpec, type QuantParams } from './int8-data.js';

/**
 * Workgroup tile TM×TN (multiples of 4), TKQ words of K per step; `mma`: the K loop on subgroup
 * matrices (int8-mma.ts), each subgroup a 16×32 block, or with `rm`/`rn` an RM×RN block and the
 * next step fetched into registers while this one is multiplied.
 */
export interface Int8Tile extends Int8TileShape {
  mma?: boolean;
  rm?: number;
  rn?: number;
}

export const INT8_TILES: readonly Int8Tile[] = [
  { tm: 64, tn: 64, tkq: 4 },
  { tm: 32, tn: 64, tkq: 8 },
  { tm: 32, tn: 32, tkq: 8 },
  { tm: 16, tn: 32, tkq: 16 },
  // tensor cores where offered (and verified on the device: int8-mma-check.ts)
  { tm: 64, tn: 64, tkq: 8, mma: true },
  { tm: 64, tn: 64, tkq: 16, mma: true },
  { tm: 32, tn: 64, tkq: 16, mma: true },
  { tm: 32, tn: 32, tkq: 16, mma: true },
  // larger tiles for large products (ResNet's convolutions at batch 32): fewer operand loads per product
  { tm: 128, tn: 128, tkq: 16, mma: true, rm: 32, rn: 64 },
  { tm: 128, tn: 64, tkq: 16, mma: true, rm: 32, rn: 32 },
  { tm: 64, tn: 128, tkq: 16, mma: true, rm: 32, rn: 32 },
];

export const int8TileName = (t: Int8Tile): string => `${t.tm}x${t.tn}x${t.tkq * 4}${t.mma ? '-mma' : ''}${t.rm ? `-r${t.rm}x${t.rn}` : ''}`;

/** Invocations of tile `t`'s workgroup. */
const tileThreads = (t: Int8Tile): number => (t.rm && t.rn ? int8BlockThreads({ ...t, rm: t.rm, rn: t.rn }) : (t.tm / 4) * (t.tn / 4));

export type Int8Store = 'row4' | 'col4' | 'scratch';

export interface Int8Problem extends Omit<ChannelSpec, 'k' | 'n' | 'groups'> {
  m: number;
  n: number;
  k: number;
  groups: number;
  /**
   * Declares the input's bindings and `fn loadA4(m: u32, kq: u32) -> u32`: the raw bytes of
   * A[m][4kq .. 4kq+3] of group `grp` (a private), m < M, 4kq < K; bytes past K may be anything
   * (B is zero there), bytes outside an image must be the zero point.
   */
  a: PartBuilder;
  /**
   * The part `a` also declares `fn loadA16(m: u32, kq: u32) -> vec4<u32>`: the words of rows
   * m..m+3 (m a multiple of 4, all four in range when m is) at word kq; A is then staged four rows at a time.
   */
  aQuads?: boolean;
  relu: boolean;
  /** An activation other than ReLU on the dequantized float (int8-epilogue.ts). */
  act?: Activation;
  /** A float tensor of the output's shape and element order, added before the activation. */
  residual?: { tensor: string; storage: Storage };
  /**
   * Float output only: columns [start, start + n) go to f32 tensor `tensor` as M rows of n
   * (merged sibling products); `output` and `outIndex` are then unused.
   */
  parts?: { tensor: string; start: number; n: number }[];
  /**
   * The input's zero point is a tensor read at run time (DynamicQuantizeLinear's, for
   * MatMulInteger/ConvInteger), not x.zeroPoint: the part `a` then declares `fn zeroA() -> u32`,
   * the zero point's byte.
   */
  zxRuntime?: boolean;
  /** Without `y`: write the int32 sums (zero point and bias applied, no scale) to an i32 tensor. */
  intOut?: boolean;
  /** WGSL expression: flat index in the output of element (m, n) of group `grp`. */
  outIndex: string;
  store: Int8Store;
  /** With `y`: write the requantized integers as f32 values (an engine float tensor) instead of bytes. */
  yFloat?: boolean;
  output: string;
  /** Elements of the output tensor. */
  outputCount: number;
}

/** Why the tile cannot run this problem here, or undefined. */
export function int8TileUnfit(t: Int8Tile, caps: DeviceCaps, p: Pick<Int8Problem, 'm' | 'n' | 'groups'>): string | undefined {
  const threads = tileThreads(t);
  const mma = t.mma ? int8MmaUnfit(t.rm && t.rn ? { tm: t.tm, tn: t.tn, tkq: t.tkq, rm: t.rm, rn: t.rn } : { tm: t.tm, tn: t.tn, tkq: t.tkq }, caps) : undefined;
  if (mma) return mma;
  if (t.mma && caps.i8TilesOff?.includes(int8TileName(t))) return 'the tile failed the device check of int8 subgroup-matrix tiles';
  if (!t.mma && !caps.packedDot4I8) return 'the device lacks WGSL packed_4x8_integer_dot_product';
  if (threads > caps.maxInvocationsPerWorkgroup) return `${threads} invocations exceed the device's ${caps.maxInvocationsPerWorkgroup}`;
  if (!t.mma && (t.tm + t.tn) * t.tkq * 4 > caps.maxWorkgroupStorage) return 'workgroup storage exceeds the device limit';
  if (p.groups > caps.maxWorkgroupsPerDimension) return 'too many groups';
  if (!grid(Math.ceil(p.m / t.tm) * Math.ceil(p.n / t.tn), caps)) return 'too many tiles';
  return undefined;
}

/** One tactic of the problem with tile `t`. */
export function int8TileTactic(name: string, p: Int8Problem, t: Int8Tile, caps: DeviceCaps): Tactic {
  const kPad = roundUp(p.k, t.tkq * 4);
  const nPad = roundUp(p.n, t.tn);
  const weights = packWeightWords(p.groups, p.k, p.n, kPad, nPad, p.at);
  const params = channelParams({ ...p });
  const a = p.a(0);
  const first = a.bindings.length;
  const bytesOut = !!p.y && !p.yFloat;
  if (p.parts && (bytesOut || p.intOut || p.residual || p.groups !== 1)) throw new Error('int8 tile: parts are for one float product');
  const out = p.parts
    ? p.parts.map((_, k) => `@group(0) @binding(${first + 2 + k}) var<storage, read_write> yf${k}: array<f32>;\n`).join('')
    : bytesOut
    ? p.store === 'scratch'
      ? `@group(0) @binding(${first + 2}) var<storage, read_write> res: array<i32>;\n`
      : `@group(0) @binding(${first + 2}) var<storage, read_write> ${'yq'}: array<u32>;\n`
    : `@group(0) @binding(${first + 2}) var<storage, read_write> yf: array<${p.intOut ? 'i32' : 'f32'}>;\n`;
  const main: EngineProgram = {
    ...tileProgram(p, t, kPad, nPad, caps, `${a.wgsl}
@group(0) @binding(${first}) var<storage, read> wq: array<u32>;
@group(0) @binding(${first + 1}) var<storage, read> qp: array<u32>;
${out}${p.residual ? declareTensor(first + 3, 'rs', p.residual.storage) + loaders('rs', p.residual.storage) : ''}`),
    bindings: [...a.bindings, { constant: 0 }, { constant: 1 }, ...(p.parts ? p.parts.map((q) => ({ tensor: q.tensor })) : [bytesOut && p.store === 'scratch' ? { scratch: 0 } : { tensor: p.output }]), ...(p.residual ? [{ tensor: p.residual.tensor }] : [])],
  };
  const scratch = bytesOut && p.store === 'scratch';
  return {
    name,
    programs: scratch ? [main, packProgram(p.output, p.outputCount, caps)] : [main],
    constants: [new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength), new Uint8Array(params.buffer)],
    scratch: scratch ? [p.outputCount * 4] : [],
  };
}

function tileProgram(p: Int8Problem, t: Int8Tile, kPad: number, nPad: number, caps: DeviceCaps, decls: string): Omit<EngineProgram, 'bindings'> {
  const threads = tileThreads(t);
  const tilesM = Math.ceil(p.m / t.tm);
  const tilesN = Math.ceil(p.n / t.tn);
  const [gx, gy] = grid(tilesM * tilesN, caps)!;
  const flip = p.x.signed ? '' : ' ^ 0x80808080u';
  const finish = int8Finish({ ...p, residual: !!p.residual });
  const byte = (v: string, j: number) => `((u32(${v}) & 0xffu) << ${8 * j}u)`;
  // the epilogue of element (m0r + i, n0c + j), with the residual at the same place
  const fin = (i: number, j: number) => `finish(n0c + ${j}u, acc[${i}][${j}]${p.residual ? `, load_rs(outIndex(m0r + ${i}u, n0c + ${j}u))` : ''})`;
  const rq = [0, 1, 2, 3];
  let store: string;
  if (p.parts) {
    // the column picks the part: M rows of its n columns
    const put = (i: number) => p.parts!.map((q, k) => {
      const body = `yf${k}[(m0r + ${i}u) * ${q.n}u + c - ${q.start}u] = v;`;
      return k === p.parts!.length - 1 ? `{ ${body} }` : `if (c < ${q.start + q.n}u) { ${body} } else `;
    }).join('');
    store = rq.flatMap((i) => rq.map((j) => `    if (m0r + ${i}u < M && n0c + ${j}u < N) { let c = n0c + ${j}u; let v = ${fin(i, j)}; ${put(i)} }`)).join('\n');
  } else if (!p.y || p.yFloat) {
    const value = (v: string) => (p.y ? `f32(${v})` : v);
    store = rq.flatMap((i) => rq.map((j) => `    if (m0r + ${i}u < M && n0c + ${j}u < N) { yf[outIndex(m0r + ${i}u, n0c + ${j}u)] = ${value(fin(i, j))}; }`)).join('\n');
  } else if (p.store === 'scratch') {
    store = rq.flatMap((i) => rq.map((j) => `    if (m0r + ${i}u < M && n0c + ${j}u < N) { res[outIndex(m0r + ${i}u, n0c + ${j}u)] = ${fin(i, j)}; }`)).join('\n');
  } else if (p.store === 'row4') {
    // N % 4 == 0: a row's four columns are one word
    store = rq.map((i) => `    if (m0r + ${i}u < M && n0c < N) { yq[outIndex(m0r + ${i}u, n0c) / 4u] = ${rq.map((j) => byte(fin(i, j), j)).join(' | ')}; }`).join('\n');
  } else {
    // M % 4 == 0 and a column's rows m..m+3 consecutive: one word per column
    store = rq.map((j) => `    if (m0r < M && n0c + ${j}u < N) { yq[outIndex(m0r, n0c + ${j}u) / 4u] = ${rq.map((i) => byte(fin(i, j), i)).join(' | ')}; }`).join('\n');
  }
  const steps = kPad / 4 / t.tkq;
  const stageA = p.aQuads ? quadStage(t.tm, t.tkq, flip) : wordStage(t.tm * t.tkq, `let m = m0 + e / ${t.tkq}u;
      let kq = s * ${t.tkq}u + e % ${t.tkq}u;
      var w = 0u;
      if (m < M && kq < KQ) { w = loadA4(m, kq)${flip}; }`);
  const stageB = wordStage(t.tn * t.tkq, `let w = wq[(grp * ${nPad}u + n0 + e / ${t.tkq}u) * ${kPad / 4}u + s * ${t.tkq}u + e % ${t.tkq}u];`);
  const block = t.mma && t.rm && t.rn ? int8MmaBlockLoop({ ...t, rm: t.rm, rn: t.rn }, steps, stageA, stageB, caps.i8MatrixUnit) : undefined;
  const { decls: shared, loop } = block ?? (t.mma ? int8MmaLoop(t, threads, steps, stageA, stageB, caps.i8MatrixUnit) : simtLoop(t, threads, steps, stageA, stageB));
  // a blocked tile hands its results to the epilogue in passes of rows (int8MmaBlockLoop)
  const output = block
    ? `  for (var pass = 0u; pass < ${block.passes}u; pass = pass + 1u) {
${block.pass('pass')}
    let m0r = m0 + pass * ${t.tm / block.passes}u + ty * 4u;
    let n0c = n0 + tx * 4u;
${store}
  }`
    : `  let m0r = m0 + ty * 4u;
  let n0c = n0 + tx * 4u;
${store}`;
  const wgsl = `${t.mma ? INT8_MMA_DIRECTIVES : ''}${decls}
var<private> grp: u32;
const M = ${p.m}u;
const N = ${p.n}u;
const KQ = ${Math.ceil(p.k / 4)}u;
${shared}

fn outIndex(m: u32, n: u32) -> u32 { return ${p.outIndex}; }
${finish}

@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let tile = wid.y * ${gx}u + wid.x;
  if (tile >= ${tilesM * tilesN}u) { return; }
  let m0 = (tile / ${tilesN}u) * ${t.tm}u;
  let n0 = (tile % ${tilesN}u) * ${t.tn}u;
  grp = wid.z;
  let tx = tid % ${t.tn / 4}u;
  let ty = tid / ${t.tn / 4}u;
${loop}
${output}
}
`;
  return { wgsl, workgroups: [gx, gy, p.groups] };
}

/** The dot4I8Packed K loop: each thread accumulates its 4×4 block of the tile in `acc`. */
function simtLoop(t: Int8Tile, threads: number, steps: number, stageA: OperandStage, stageB: OperandStage): { decls: string; loop: string } {
  const rq = [0, 1, 2, 3];
  const loop = `  var acc: array<array<i32, 4>, 4>;
  for (var s = 0u; s < ${steps}u; s = s + 1u) {
    for (var e = tid; e < ${stageA.count}u; e = e + ${threads}u) {
      ${stageA.load}
      ${stageStores(stageA, 'As', '')}
    }
    for (var e = tid; e < ${stageB.count}u; e = e + ${threads}u) {
      ${stageB.load}
      ${stageStores(stageB, 'Bs', '')}
    }
    workgroupBarrier();
    for (var q = 0u; q < ${t.tkq}u; q = q + 1u) {
${rq.map((i) => `      let a${i} = As[(ty * 4u + ${i}u) * ${t.tkq}u + q];`).join('\n')}
${rq.map((j) => `      let b${j} = Bs[(tx * 4u + ${j}u) * ${t.tkq}u + q];`).join('\n')}
${rq.flatMap((i) => rq.map((j) => `      acc[${i}][${j}] = acc[${i}][${j}] + dot4I8Packed(a${i}, b${j});`)).join('\n')}
    }
    workgroupBarrier();
  }`;
  return { decls: `var<workgroup> As: array<u32, ${t.tm * t.tkq}>;\nvar<workgroup> Bs: array<u32, ${t.tn * t.tkq}>;`, loop };
}

/** Packs i32 results (already saturated) from scratch into int8 words, four elements per invocation. */
function packProgram(output: string, count: number, caps: DeviceCaps): EngineProgram {
  const words = Math.ceil(count / 4);
  const [gx, gy] = grid(Math.ceil(words / 256), caps) ?? [0, 0];
  if (gx === 0) throw new Error('int8 pack exceeds the dispatch limit');
  const wgsl = `@group(0) @binding(0) var<storage, read_write> res: array<i32>;
@group(0) @binding(1) var<storage, read_write> yq: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let w = (wid.y * ${gx}u + wid.x) * 256u + lid;
  if (w >= ${words}u) { return; }
  var v = 0u;
  for (var j = 0u; j < 4u; j = j + 1u) {
    let e = w * 4u + j;
    if (e < ${count}u) { v = v | ((u32(res[e]) & 0xffu) << (8u * j)); }
  }
  yq[w] = v;
}
`;
  return { wgsl, bindings: [{ scratch: 0 }, { tensor: output }], workgroups: [gx, gy, 1] };
}
