// Which tile configurations and split-K factors a matrix layer offers the builder. Every
// candidate is correct; this only keeps the list short (each candidate is compiled and timed),
// ranking them with a rough occupancy model of a large GPU and keeping the best few.
import type { DeviceCaps } from '../../../devices/webgpu/caps.js';
import { grid, hasF16Mma, roundUp, tileStorage, tileSubgroups, tileThreads, tileUnfit, type TileConfig } from '../matmul-tile.js';

/** The tile shapes on offer, large (most reuse per load) to small (most workgroups for small M). */
export const TILE_CONFIGS: readonly TileConfig[] = [
  { tm: 128, tn: 128, tk: 8, rm: 8, rn: 8 },
  { tm: 128, tn: 64, tk: 16, rm: 8, rn: 4 },
  { tm: 64, tn: 128, tk: 16, rm: 4, rn: 8 },
  { tm: 64, tn: 64, tk: 16, rm: 4, rn: 4 },
  { tm: 32, tn: 64, tk: 16, rm: 2, rn: 4 },
  { tm: 32, tn: 32, tk: 32, rm: 2, rn: 4 },
  { tm: 16, tn: 64, tk: 32, rm: 2, rn: 4 },
];

/** Half tiles: each f32 shape, plus deeper slices that the halved workgroup memory affords. */
export const HALF_TILE_CONFIGS: readonly TileConfig[] = [
  ...TILE_CONFIGS.map((c) => ({ ...c, half: true })),
  { tm: 128, tn: 128, tk: 16, rm: 8, rn: 8, half: true },
  { tm: 64, tn: 64, tk: 32, rm: 4, rn: 4, half: true },
];

/**
 * Subgroup-matrix tiles (tensor cores), for a subgroup size: RM×RN is one subgroup's block of 16×16
 * result matrices, large blocks for reuse, small tiles for matrices of few rows.
 */
export function mmaTileConfigs(subgroupSize: number): TileConfig[] {
  const shapes: [number, number, number, number, number][] = [
    [128, 128, 32, 64, 32],
    [128, 64, 32, 64, 32],
    [64, 128, 32, 32, 64],
    [64, 64, 32, 32, 32],
    [64, 64, 64, 32, 32],
    [32, 64, 32, 16, 32],
    [16, 64, 32, 16, 16],
  ];
  return shapes.map(([tm, tn, tk, rm, rn]) => ({ tm, tn, tk, rm, rn, half: true, mma: subgroupSize }));
}

export interface MatmulChoice {
  tile: TileConfig;
  splits: number;
}

export interface ChoiceOptions {
  /** Tile-loop tactics to keep (default 4). */
  tiles?: number;
  /** Split-K tactics to keep (default 2). */
  splitK?: number;
  /**
   * Also offer half tiles (f16 slices and products, f32 accumulators; the device needs
   * shader-f16), as many again as the f32 ones and ranked first: the timer picks between them.
   * Where the device multiplies f16 subgroup matrices, subgroup-matrix tiles come first of all.
   */
  half?: boolean;
  /** Split-K tactics kept among the subgroup-matrix tiles (default 1). */
  mmaSplitK?: number;
}

// The model's GPU: streaming multiprocessors and what one holds (an H100/H200-class part). Only
// the ranking depends on it; the builder's timings decide.
const SMS = 132;
const THREADS_PER_SM = 2048;
const REGS_PER_SM = 65536;
const SHARED_PER_SM = 200 * 1024;

/** Relative cost of a candidate: waves of workgroups × work per workgroup ÷ register-tile efficiency. */
function cost(m: number, n: number, k: number, groups: number, c: TileConfig, splits: number): number {
  const threads = tileThreads(c);
  const regs = c.rm * c.rn + 2 * (c.rm + c.rn) + 24;
  const perSm = Math.max(1, Math.min(Math.floor(THREADS_PER_SM / threads), Math.floor(REGS_PER_SM / (threads * regs)), Math.floor(SHARED_PER_SM / tileStorage(c))));
  const workgroups = Math.ceil(m / c.tm) * Math.ceil(n / c.tn) * groups * splits;
  // the busiest SM runs `busiest` workgroups, `resident` at a time; hiding latency takes about
  // 8K independent accumulators in flight (warps × register-block size)
  const busiest = Math.ceil(workgroups / SMS);
  const resident = Math.min(busiest, perSm);
  const utilization = Math.min(1, (resident * threads * c.rm * c.rn) / 8192);
  // FMAs per shared-memory read of the register block, saturating near 8×8
  const intensity = (c.rm * c.rn) / (c.rm + c.rn);
  const efficiency = Math.min(1, 0.35 + intensity / 5);
  const kPer = roundUp(Math.ceil(k / splits), c.tk);
  // per-workgroup fixed cost (prologue, epilogue) and the reduction pass of split-K
  const reduce = splits > 1 ? (groups * m * n * splits * 4) / 64 + 3000 : 0;
  return (busiest * c.tm * c.tn * kPer) / (efficiency * utilization) + busiest * 500 + reduce;
}

/** Split-K factors worth trying: only when the tiles alone leave most of the GPU idle and K is deep. */
function splitFactors(m: number, n: number, k: number, groups: number, c: TileConfig): number[] {
  const tiles = Math.ceil(m / c.tm) * Math.ceil(n / c.tn) * groups;
  const tilesK = Math.ceil(k / c.tk);
  if (tiles >= SMS || tilesK < 8) return [];
  const out: number[] = [];
  for (const s of [2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64]) {
    const chunk = Math.ceil(tilesK / s);
    const real = Math.ceil(tilesK / chunk); // no empty splits
    if (real === s && chunk >= 4 && tiles * s <= 4 * SMS) out.push(s);
  }
  return out;
}

/**
 * The tile and split-K candidates for C[M,N] = A[M,K]·B[K,N] (× groups), best-ranked first; empty
 * when no configuration fits the device.
 */
export function matmulChoices(m: number, n: number, k: number, groups: number, caps: DeviceCaps, opts: ChoiceOptions = {}): MatmulChoice[] {
  const f32 = rankedChoices(TILE_CONFIGS, m, n, k, groups, caps, opts);
  if (!opts.half || !caps.shaderF16) return f32;
  const half = rankedChoices(HALF_TILE_CONFIGS, m, n, k, groups, caps, opts);
  const mma = hasF16Mma(caps) ? rankedChoices(mmaTileConfigs(caps.subgroupSize!), m, n, k, groups, caps, { ...opts, tiles: Math.min(opts.tiles ?? 4, 3), splitK: opts.mmaSplitK ?? Math.min(opts.splitK ?? 2, 1) }) : [];
  return [...mma, ...half, ...f32];
}

/** Relative cost of a subgroup-matrix candidate: waves of workgroups × work each ÷ how busy the SMs are. */
function mmaCost(m: number, n: number, k: number, groups: number, c: TileConfig, splits: number): number {
  const subgroups = tileSubgroups(c);
  const perSm = Math.max(1, Math.min(Math.floor(THREADS_PER_SM / tileThreads(c)), Math.floor(SHARED_PER_SM / tileStorage(c))));
  const workgroups = Math.ceil(m / c.tm) * Math.ceil(n / c.tn) * groups * splits;
  const busiest = Math.ceil(workgroups / SMS);
  const resident = Math.min(busiest, perSm);
  // about 8 subgroups an SM keep its tensor cores fed; blocks of fewer 16×16 matrices reload more
  const utilization = Math.min(1, (resident * subgroups) / 8);
  const efficiency = Math.min(1, 0.4 + (c.rm * c.rn) / (64 * 32) * 0.6);
  const kPer = roundUp(Math.ceil(k / splits), c.tk);
  const reduce = splits > 1 ? (groups * m * n * splits * 4) / 64 + 3000 : 0;
  return (busiest * c.tm * c.tn * kPer) / (8 * efficiency * utilization) + busiest * 500 + reduce;
}

function rankedChoices(configs: readonly TileConfig[], m: number, n: number, k: number, groups: number, caps: DeviceCaps, opts: ChoiceOptions): MatmulChoice[] {
  const fits = configs.filter((c) => !tileUnfit(c, caps, { m, n, groups }));
  const rank = (list: MatmulChoice[]) => list
    .map((ch) => ({ ch, cost: (ch.tile.mma ? mmaCost : cost)(m, n, k, groups, ch.tile, ch.splits) }))
    .sort((a, b) => a.cost - b.cost)
    .map((x) => x.ch);
  const ranked = rank(fits.map((tile) => ({ tile, splits: 1 })));
  // the model is rough: besides its favourites, always offer the tile that best fills the GPU
  const tiles = (c: TileConfig) => Math.min(Math.ceil(m / c.tm) * Math.ceil(n / c.tn) * groups, 2 * SMS);
  const widest = ranked.reduce<MatmulChoice | undefined>((best, ch) => (!best || tiles(ch.tile) > tiles(best.tile) ? ch : best), undefined);
  const keep = opts.tiles ?? 4;
  const plain = ranked.slice(0, keep);
  if (widest && !plain.includes(widest) && keep > 1) plain[keep - 1] = widest;
  const split = rank(fits.flatMap((tile) => splitFactors(m, n, k, groups, tile)
    .filter((s) => !tileUnfit(tile, caps, { m, n, groups }, s) && grid(Math.ceil((groups * m * Math.ceil(n / 2)) / 256), caps))
    .map((splits) => ({ tile, splits })))).slice(0, opts.splitK ?? 2);
  return [...plain, ...split];
}
