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
import { grid, roundUp, type PartBuilder } from '../matmul-tile.js';
import type { EngineBinding, EngineProgram, Tactic } from '../tactic.js';
import { INT8_MMA_DIRECTIVES, int8BlockThreads, int8MmaBlockLoop, int8MmaLoop, int8MmaUnfit, stagedRow, type Int8TileShape } from './int8-mma.js';
import { int8Finish } from './int8-epilogue.js';
import { allSteps, quadStage, rowStage, stageStores, wordStage, type OperandStage, type StepRange } from './int8-stage.js';
import { outputDecls, packProgram, packsThroughScratch, residualPrefetch, storeCode, type Int8Residual } from './int8-store.js';
import { int8Splits, splitFinishProgram } from './int8-split.js';
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
  // and blocked tiles for small ones (BERT's 128 rows): four subgroups of 2×2 or 1×2 matrices, split K
  { tm: 64, tn: 64, tkq: 16, mma: true, rm: 32, rn: 32 },
  { tm: 32, tn: 64, tkq: 16, mma: true, rm: 16, rn: 32 },
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
  /**
   * The part `a` also declares `fn loadA16r(m: u32, kq: u32) -> vec4<u32>`: words kq..kq+3 of row
   * m (kq a multiple of 4, kq < KQ; words past KQ may be anything, as B is zero there).
   */
  aRows?: boolean;
  relu: boolean;
  /** An activation other than ReLU on the dequantized float (int8-epilogue.ts). */
  act?: Activation;
  /** A float tensor of the output's shape and element order, added before the activation. */
  residual?: Int8Residual;
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
  /** Float outputs (dequantized values, requantized integers as floats, merged parts) are native f16 tensors. */
  halfOut?: boolean;
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

/**
 * Every tile's tactic for the problem (named `prefix` + the tile, `-sk<S>` for split K, `-packed`
 * when bytes go through scratch), plus a split-K tactic of each where the product is small and K
 * long; `why` collects the tiles that do not fit.
 */
export function int8TileTactics(prefix: string, p: Int8Problem, caps: DeviceCaps, why: string[]): Tactic[] {
  const packed = p.store === 'scratch' && !!p.y && !p.yFloat ? '-packed' : '';
  const tactics: Tactic[] = [];
  for (const t of INT8_TILES) {
    const bad = int8TileUnfit(t, caps, p);
    if (bad) { why.push(`${int8TileName(t)}: ${bad}`); continue; }
    tactics.push(int8TileTactic(`${prefix}-${int8TileName(t)}${packed}`, p, t, caps));
    const splits = p.zxRuntime ? 1 : int8Splits(Math.ceil(p.m / t.tm) * Math.ceil(p.n / t.tn) * p.groups, roundUp(p.k, t.tkq * 4) / 4 / t.tkq);
    if (splits > 1 && p.groups * splits <= caps.maxWorkgroupsPerDimension) tactics.push(int8TileTactic(`${prefix}-${int8TileName(t)}-sk${splits}${packed}`, p, t, caps, splits));
  }
  return tactics;
}

/**
 * One tactic of the problem with tile `t`; with `splits` > 1, K is cut into that many slices, each
 * walked by workgroups of its own writing int32 partial sums to scratch, which a second program
 * adds up and finishes (int8-split.ts): a small product (few tiles, long K) then fills the GPU.
 */
export function int8TileTactic(name: string, p: Int8Problem, t: Int8Tile, caps: DeviceCaps, splits = 1): Tactic {
  const kPad = roundUp(p.k, t.tkq * 4);
  const nPad = roundUp(p.n, t.tn);
  const weights = packWeightWords(p.groups, p.k, p.n, kPad, nPad, p.at);
  const params = channelParams({ ...p });
  const a = p.a(0);
  const first = a.bindings.length;
  const split = splits > 1;
  if (split && p.zxRuntime) throw new Error('int8 tile: split K takes a constant input zero point');
  // a split's program writes partial sums only: the channel constants (qp) are the finishing program's
  const outs: { wgsl: string; bindings: EngineBinding[] } = split
    ? { wgsl: `@group(0) @binding(${first + 1}) var<storage, read_write> part: array<i32>;\n`, bindings: [{ scratch: 0 }] }
    : { wgsl: `@group(0) @binding(${first + 1}) var<storage, read> qp: array<u32>;\n`, bindings: [{ constant: 1 }] };
  const rest = split ? { wgsl: '', bindings: [] } : outputDecls(p, first + 2, 0);
  const main: EngineProgram = {
    ...tileProgram(p, t, kPad, nPad, caps, `${a.wgsl}
@group(0) @binding(${first}) var<storage, read> wq: array<vec4<u32>>;
${outs.wgsl}${rest.wgsl}`, splits),
    bindings: [...a.bindings, { constant: 0 }, ...outs.bindings, ...rest.bindings],
  };
  const programs = [main];
  const scratch: number[] = [];
  if (split) {
    scratch.push(splits * p.groups * p.m * p.n * 4);
    programs.push(splitFinishProgram(p, splits, caps));
  }
  if (packsThroughScratch(p)) {
    programs.push(packProgram(p.output, p.outputCount, caps, scratch.length));
    scratch.push(p.outputCount * 4);
  }
  return {
    name,
    programs,
    constants: [new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength), new Uint8Array(params.buffer)],
    scratch,
  };
}

function tileProgram(p: Int8Problem, t: Int8Tile, kPad: number, nPad: number, caps: DeviceCaps, decls: string, splits: number): Omit<EngineProgram, 'bindings'> {
  const threads = tileThreads(t);
  const tilesM = Math.ceil(p.m / t.tm);
  const tilesN = Math.ceil(p.n / t.tn);
  const [gx, gy] = grid(tilesM * tilesN, caps)!;
  const flip = p.x.signed ? '' : ' ^ 0x80808080u';
  const steps = kPad / 4 / t.tkq;
  const chunk = Math.ceil(steps / splits);
  const range: StepRange = splits > 1 ? { begin: 'sBegin', end: 'sEnd' } : allSteps(steps);
  // one split writes its partial sums (group-major, then split, then row-major M×N); else the epilogue
  const store = splits > 1
    ? [0, 1, 2, 3].flatMap((i) => [0, 1, 2, 3].map((j) => `    if (m0r + ${i}u < M && n0c + ${j}u < N) { part[(wid.z * M + m0r + ${i}u) * N + n0c + ${j}u] = acc[${i}][${j}]; }`)).join('\n')
    : storeCode(p);
  // subgroup matrices read staged rows padded against bank conflicts (int8-mma.ts)
  const stride = t.mma ? stagedRow(t) : t.tkq;
  const stageA = p.aRows ? rowStage(t.tm, t.tkq, 'loadA16r(m0 + r, kq)', 'm0 + r < M && kq < KQ', flip, stride)
    : p.aQuads ? quadStage(t.tm, t.tkq, flip, stride) : wordStage(t.tm * t.tkq, `let m = m0 + e / ${t.tkq}u;
      let kq = s * ${t.tkq}u + e % ${t.tkq}u;
      var w = 0u;
      if (m < M && kq < KQ) { w = loadA4(m, kq)${flip}; }`, { tkq: t.tkq, stride });
  // the weights' rows are whole 16-byte words (kPad a multiple of 4·TKQ ≥ 16): one vec4 load per four words
  const stageB = rowStage(t.tn, t.tkq, `wq[((grp * ${nPad}u + n0 + r) * ${kPad / 4}u + kq) / 4u]`, 'true', '', stride);
  const block = t.mma && t.rm && t.rn ? int8MmaBlockLoop({ ...t, rm: t.rm, rn: t.rn }, range, stageA, stageB, caps.i8MatrixUnit) : undefined;
  const { decls: shared, loop } = block ?? (t.mma ? int8MmaLoop(t, threads, range, stageA, stageB, caps.i8MatrixUnit) : simtLoop(t, threads, range, stageA, stageB));
  // a blocked tile hands its results to the epilogue in passes of rows (int8MmaBlockLoop; `pass` is
  // a WGSL keyword), unrolled where prefetched residual words must stay in registers
  const passes = block ? block.passes : 1;
  const prefetch = splits > 1 ? undefined : residualPrefetch(p, passes, t.tm / passes);
  const storePass = (r: number) => (prefetch ? storeCode(p, 4, (k) => `rpre[${4 * r + k}]`) : store);
  const passCode = (r: string, storeR: string) => `${block!.pass(r)}
    let m0r = m0 + ${r} * ${t.tm / passes}u + ty * 4u;
    let n0c = n0 + tx * 4u;
${storeR}`;
  const output = !block
    ? `  let m0r = m0 + ty * 4u;
  let n0c = n0 + tx * 4u;
${storePass(0)}`
    : prefetch
    ? Array.from({ length: passes }, (_, r) => `  {\n${passCode(`${r}u`, storePass(r))}\n  }`).join('\n')
    : `  for (var rp = 0u; rp < ${passes}u; rp = rp + 1u) {\n${passCode('rp', store)}\n  }`;
  const wgsl = `${t.mma ? INT8_MMA_DIRECTIVES : ''}${decls}
var<private> grp: u32;
const M = ${p.m}u;
const N = ${p.n}u;
const KQ = ${Math.ceil(p.k / 4)}u;
${shared}

fn outIndex(m: u32, n: u32) -> u32 { return ${p.outIndex}; }
${splits > 1 ? '' : int8Finish({ ...p, residual: !!p.residual })}

@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let tile = wid.y * ${gx}u + wid.x;
  if (tile >= ${tilesM * tilesN}u) { return; }
  let m0 = (tile / ${tilesN}u) * ${t.tm}u;
  let n0 = (tile % ${tilesN}u) * ${t.tn}u;
${splits > 1 ? `  grp = wid.z / ${splits}u;
  let sBegin = (wid.z % ${splits}u) * ${chunk}u;
  let sEnd = min(sBegin + ${chunk}u, ${steps}u);` : '  grp = wid.z;'}
  let tx = tid % ${t.tn / 4}u;
  let ty = tid / ${t.tn / 4}u;
${prefetch ?? ''}
${loop}
${output}
}
`;
  return { wgsl, workgroups: [gx, gy, p.groups * splits] };
}

/** The dot4I8Packed K loop: each thread accumulates its 4×4 block of the tile in `acc`. */
function simtLoop(t: Int8Tile, threads: number, steps: StepRange, stageA: OperandStage, stageB: OperandStage): { decls: string; loop: string } {
  const rq = [0, 1, 2, 3];
  const loop = `  var acc: array<array<i32, 4>, 4>;
  for (var s = ${steps.begin}; s < ${steps.end}; s = s + 1u) {
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
