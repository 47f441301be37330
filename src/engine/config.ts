// The builder's configuration (TensorRT's IBuilderConfig), checked up front so a bad option fails
// before any work starts.
import { UsageError } from '../errors.js';
import { isEqualizedCache, type CalibrationCache } from './calibrate/cache-file.js';
import type { TimingCache } from './timing-cache.js';

export const PRECISIONS = ['fp32', 'fp16'] as const;
export type Precision = (typeof PRECISIONS)[number];

/** Progress of a build, for a progress bar: phase, and units done of total in that phase. */
export interface BuildProgress {
  phase: 'passes' | 'tactics' | 'memory' | 'compile';
  done: number;
  total: number;
  /** The layer being worked on. */
  layer?: string;
}

/** Kinds of kernel (see BuilderConfig.tacticSources). */
export const TACTIC_SOURCES = ['simt', 'subgroup-matrix'] as const;
export type TacticSource = (typeof TACTIC_SOURCES)[number];

export interface BuilderConfig {
  /**
   * Storage precision of activations and weights (accumulation is fp32; with shader-f16, matrix
   * products may multiply in f16). Default fp32.
   */
  precision?: Precision | 'int8';
  /**
   * int8 (implicit quantization): per-tensor scales (`nnrt calibrate`); conv, gemm and MatMul-by-
   * weights layers whose input has a scale run in int8, the rest in fp32. A QDQ model needs none:
   * its quantized layers are int8 at any precision. A cache whose header says `.equalized` (`nnrt
   * calibrate --equalize`) holds the equalized network's ranges: the build equalizes first.
   */
  calibration?: Pick<CalibrationCache, 'scales'> & Partial<CalibrationCache>;
  /**
   * int8 builds: the precision of the layers int8 does not take (default fp32; fp16 is what
   * TensorRT's --int8 --fp16 does). Only with precision int8.
   */
  floatPrecision?: Precision;
  /** Per-layer precision, by layer (IR node) name: keeps sensitive layers in fp32 in an fp16 build. */
  layerPrecision?: Record<string, Precision>;
  /** Tactic timings from earlier builds (same nnrt version and adapter), updated with new ones. */
  timingCache?: TimingCache;
  /** Time candidate tactics on the device (default true); off: each layer's first (heuristic) tactic. */
  timeTactics?: boolean;
  /** Bytes of device memory the arena and scratch may use; tactics needing more scratch are skipped. */
  memoryBudget?: number;
  /**
   * Which kinds of kernel a layer may choose from (as TensorRT's tactic sources): 'simt' (plain
   * WGSL arithmetic, every device) and 'subgroup-matrix' (tensor-core tiles, where the device has
   * them). Default: both. A layer with no tactic of a listed source keeps all of its own.
   */
  tacticSources?: readonly TacticSource[];
  /** Verbose build log, one line per call: fusions, chosen tactic and its time per layer. */
  log?: (line: string) => void;
  progress?: (p: BuildProgress) => void;
}

export interface CheckedConfig extends Required<Pick<BuilderConfig, 'timeTactics'>> {
  /** The float layers' precision (fp32 in an int8 build). */
  precision: Precision;
  /** Set in an int8 build: the calibration scales by tensor name. */
  int8?: ReadonlyMap<string, number>;
  /** Set in an int8 build whose cache was calibrated on the equalized network: run the equalize pass. */
  equalize?: boolean;
  /** With equalize: the cache's per-channel ranges of the tensors between equalized convs. */
  channelRanges?: ReadonlyMap<string, Float32Array>;
  layerPrecision: Record<string, Precision>;
  timingCache?: TimingCache;
  memoryBudget: number;
  tacticSources: readonly TacticSource[];
  log: (line: string) => void;
  progress: (p: BuildProgress) => void;
}

export function checkBuilderConfig(c: BuilderConfig = {}): CheckedConfig {
  let precision = c.precision ?? 'fp32';
  let int8: ReadonlyMap<string, number> | undefined;
  if (precision === 'int8') {
    if (!c.calibration) {
      throw new UsageError('int8 precision needs a calibration cache (per-tensor scales)', {
        hint: 'make one with `nnrt calibrate MODEL --out FILE` and pass --calibration FILE; a model with QuantizeLinear/DequantizeLinear needs none: its quantized layers are int8 at fp32 or fp16',
      });
    }
    int8 = c.calibration.scales;
    precision = c.floatPrecision ?? 'fp32';
  } else if (c.floatPrecision !== undefined) {
    throw new UsageError(`a float precision for int8 builds (${c.floatPrecision}) goes with precision int8, not ${precision}`, { hint: 'add --precision int8 and a calibration cache, or leave it out' });
  }
  if (!(PRECISIONS as readonly string[]).includes(precision)) {
    throw new UsageError(`unknown precision '${String(precision)}'`, { hint: `choose one of ${PRECISIONS.join(', ')}` });
  }
  const layerPrecision = c.layerPrecision ?? {};
  for (const [layer, p] of Object.entries(layerPrecision)) {
    if (!(PRECISIONS as readonly string[]).includes(p)) {
      throw new UsageError(`layer '${layer}': unknown precision '${String(p)}'`, { hint: `choose one of ${PRECISIONS.join(', ')}` });
    }
  }
  const tacticSources = c.tacticSources ?? TACTIC_SOURCES;
  for (const s of tacticSources) {
    if (!(TACTIC_SOURCES as readonly string[]).includes(s)) throw new UsageError(`unknown tactic source '${String(s)}'`, { hint: `choose from ${TACTIC_SOURCES.join(', ')}` });
  }
  if (tacticSources.length === 0) throw new UsageError('no tactic source left', { hint: `name at least one of ${TACTIC_SOURCES.join(', ')}` });
  const memoryBudget = c.memoryBudget ?? Infinity;
  if (!(memoryBudget > 0)) throw new UsageError(`memory budget must be a positive number of bytes, got ${memoryBudget}`);
  return {
    precision, ...(int8 ? { int8 } : {}), ...(int8 && isEqualizedCache(c.calibration?.header) ? { equalize: true, ...(c.calibration?.channelRanges ? { channelRanges: c.calibration.channelRanges } : {}) } : {}), layerPrecision, timingCache: c.timingCache, memoryBudget, tacticSources,
    timeTactics: c.timeTactics ?? true, log: c.log ?? (() => {}), progress: c.progress ?? (() => {}),
  };
}
