// Implicit quantization's first step (TensorRT's IInt8Calibrator): run the float model over
// calibration batches in the framework and record, for every float activation (graph inputs and
// node outputs), the range int8 should cover. Min-max keeps the largest magnitude seen; entropy
// and percentile need a histogram over that range, so they run the batches a second time.
import { CalibrationError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { inferShapes, type KnownValue } from '../ir/infer.js';
import { opTyper } from '../ops/typer.js';
import { createSession, type SessionOptions } from './session.js';
import { Tensor } from '../tensor/tensor.js';
import { cacheHeader, checkCacheFits, isEqualizedCache, parseCalibrationCache, scaleOfAmax, type CalibrationAlgo, type CalibrationCache } from '../engine/calibrate/cache-file.js';
import { AbsHistogram, RangeStat } from '../engine/calibrate/histogram.js';
import { entropyAmax, percentileAmax } from '../engine/calibrate/thresholds.js';
import { equalizedGraph } from '../engine/equalized-graph.js';
import { measureChannelRanges } from './channel-ranges.js';

/** Calibration batches: feeds by input name, fetched on demand (they may be files). */
export interface CalibrationBatches {
  count: number;
  get(index: number): Promise<Record<string, Tensor>> | Record<string, Tensor>;
}

export interface CalibrateOptions extends Pick<SessionOptions, 'device' | 'gpu' | 'gpuOptions' | 'maxMemory'> {
  algo: CalibrationAlgo;
  /** Percent of |x| kept for algo 'percentile' (default 99.99). */
  percentile?: number;
  /**
   * Calibrate the network as an equalized int8 build computes it (engine/equalized-graph.ts, at the
   * first batch's shapes) and mark the cache so (its header): a build with it equalizes too. The
   * batches run once more first, for the per-channel ranges the equalization balances (kept in the
   * cache's `#channels` lines).
   */
  equalize?: boolean;
  /** Called after each batch of each pass. */
  progress?: (e: { pass: number; passes: number; batch: number; batches: number }) => void;
}

export const DEFAULT_PERCENTILE = 99.99;

/** The float activations a calibration records, in graph order: float inputs, then node outputs. */
export function activationCandidates(graph: Graph): string[] {
  // weights are not activations: initializers, and whatever nodes compute from them alone
  const constant = new Set(graph.initializers.keys());
  for (const node of graph.nodes) {
    if (node.inputs.every((i) => !i || constant.has(i))) for (const o of node.outputs) constant.add(o);
  }
  const names: string[] = [];
  const seen = new Set<string>();
  const add = (n: string) => {
    if (!n || seen.has(n) || constant.has(n)) return;
    const t = graph.typeOf(n);
    if (t && (t.dtype !== 'float32' || (t.kind && t.kind !== 'tensor'))) return;
    seen.add(n);
    names.push(n);
  };
  for (const v of graph.inputs) add(v.name);
  for (const node of graph.nodes) for (const o of node.outputs) add(o);
  return names;
}

/** Runs the calibration and returns the cache (scales in graph order). */
export async function calibrateGraph(graph: Graph, batches: CalibrationBatches, opts: CalibrateOptions): Promise<CalibrationCache> {
  if (batches.count < 1) throw new CalibrationError('no calibration batches', { hint: 'give a folder with at least one batch of inputs' });
  const percentile = opts.percentile ?? DEFAULT_PERCENTILE;
  if (opts.algo === 'percentile' && !(percentile > 0 && percentile <= 100)) throw new CalibrationError(`--percentile must be in (0, 100], got ${percentile}`);
  const { algo, progress, percentile: _p, equalize, ...sessionOpts } = opts;
  let channelRanges: Map<string, Float32Array> | undefined;
  if (equalize) {
    const first = await batches.get(0);
    const shapes = Object.fromEntries(Object.entries(first).map(([name, t]) => [name, [...t.shape]]));
    channelRanges = await measureChannelRanges(graph, shapes, batches, sessionOpts);
    graph = equalizedGraph(graph, shapes, { channelRanges });
  }
  const candidates = activationCandidates(graph);
  // every candidate becomes a graph output, so one run hands back all activations
  const probe = graph.clone();
  const declared = new Set(probe.outputs.map((o) => o.name));
  for (const name of candidates) if (!declared.has(name)) probe.outputs.push({ name });
  const session = await createSession(probe, sessionOpts);
  const passes = algo === 'minmax' ? 1 : 2;
  const ranges = new Map<string, RangeStat>();
  const hists = new Map<string, AbsHistogram>();
  try {
    for (let pass = 1; pass <= passes; pass++) {
      for (let b = 0; b < batches.count; b++) {
        const feeds = await batches.get(b);
        const values = session.runValues ? await session.runValues(feeds) : await session.run(feeds);
        const all: Record<string, unknown> = { ...feeds, ...values };
        for (const name of candidates) {
          const t = all[name];
          if (!(t instanceof Tensor) || t.dtype !== 'float32') continue;
          const data = t.data as Float32Array;
          if (pass === 1) {
            let r = ranges.get(name);
            if (!r) ranges.set(name, (r = new RangeStat()));
            r.add(data);
          } else {
            const h = hists.get(name);
            if (h) h.add(data);
          }
        }
        progress?.({ pass, passes, batch: b + 1, batches: batches.count });
      }
      if (pass === 1) {
        for (const [name, r] of ranges) {
          if (!Number.isFinite(r.amax)) throw new CalibrationError(`tensor '${name}' reached ${r.amax} on the calibration data; int8 cannot represent it`, { hint: 'check the calibration inputs and their preprocessing' });
          if (passes === 2 && r.amax > 0) hists.set(name, new AbsHistogram(r.amax));
        }
      }
    }
  } finally {
    session.dispose();
  }
  const scales = new Map<string, number>();
  for (const name of candidates) {
    const r = ranges.get(name);
    if (!r) continue; // not a float tensor after all (an int64 shape, a sequence)
    const h = hists.get(name);
    const amax = !h ? r.amax : algo === 'entropy' ? entropyAmax(h) : percentileAmax(h, percentile);
    scales.set(name, scaleOfAmax(amax));
  }
  return { header: cacheHeader(algo, equalize), scales, ...(channelRanges?.size ? { channelRanges } : {}) };
}

/** Every value a graph names: inputs, initializers, node outputs. */
function graphValues(graph: Graph): Set<string> {
  const names = new Set<string>([...graph.inputs.map((v) => v.name), ...graph.initializers.keys()]);
  for (const node of graph.nodes) for (const o of node.outputs) if (o) names.add(o);
  return names;
}

/** Tensors TensorRT names itself (shuffles and casts it inserts), which no ONNX model has. */
const TENSORRT_INTERNAL = /^\(Unnamed Layer\* \d+\)/;

/**
 * Parses a calibration cache for `graph` and checks it fits: every tensor it names exists (a line
 * naming one the model lacks is an error naming that line; TensorRT's own unnamed tensors are
 * skipped), and every float activation of the model has a scale. An equalized cache (`nnrt
 * calibrate --equalize`) is checked against the equalized network at `inputShapes` (default: the
 * graph's own fixed input shapes), whose tensors it describes.
 */
export function calibrationFor(graph: Graph, text: string, source = 'calibration cache', inputShapes?: Record<string, number[]>): CalibrationCache {
  const cache = parseCalibrationCache(text, source);
  for (const name of [...cache.scales.keys()]) if (TENSORRT_INTERNAL.test(name)) cache.scales.delete(name);
  const g = isEqualizedCache(cache.header)
    ? equalizedGraph(graph, inputShapes ?? fixedInputShapes(graph, source), cache.channelRanges ? { channelRanges: cache.channelRanges } : {})
    : graph;
  checkCacheFits(cache, graphValues(g), floatActivations(g, inputShapes), source);
  return cache;
}

/**
 * The activations a cache must give a scale: the candidates that are float32 at the given input
 * shapes (a model's files rarely type its Shape, Cast or Gather outputs, which the calibration
 * skips as not float). Where the types cannot be inferred (symbolic input dims, no shapes given)
 * only the candidates the graph itself types as float32 are required; a build then names any
 * other missing scale by the layer that needs it (passes/quantize-implicit.ts).
 */
function floatActivations(graph: Graph, inputShapes?: Record<string, number[]>): string[] {
  const candidates = activationCandidates(graph);
  let known: Map<string, KnownValue> | undefined;
  try {
    known = inferShapes(graph.clone(), opTyper, inputShapes ?? {});
  } catch {
    known = undefined;
  }
  return candidates.filter((n) => (known?.get(n)?.dtype ?? graph.typeOf(n)?.dtype) === 'float32');
}

/** The graph's input shapes when all are fixed numbers (an equalized cache is checked at them). */
function fixedInputShapes(graph: Graph, source: string): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const v of graph.inputs) {
    if (graph.initializers.has(v.name)) continue;
    if (!v.shape.every((d) => typeof d === 'number')) {
      throw new CalibrationError(`${source} was calibrated on the equalized network, which needs fixed input shapes; input '${v.name}' is [${v.shape.join(',')}]`, { where: source, hint: 'give the input shapes (--shape NAME=DIMS)' });
    }
    shapes[v.name] = v.shape as number[];
  }
  return shapes;
}
