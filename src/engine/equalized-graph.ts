// The float network an equalized int8 build quantizes, as an IR graph: the engine's import and its
// passes up to and including cross-layer equalization (passes/equalize.ts), lowered back to ONNX
// semantics (lower.ts). `nnrt calibrate --equalize` calibrates this graph, so the per-tensor ranges
// in its cache are those of the tensors the equalized int8 layers read; the names are the engine
// network's, which the build's quantize-implicit pass looks up.
import type { Graph } from '../ir/graph.js';
import { importNetwork } from './import.js';
import { lowerNetwork } from './lower.js';
import { equalizePairs, equalizePass } from './passes/equalize.js';
import { ENGINE_PIPELINE, runPipeline } from './passes/pipeline.js';

/** The passes an int8 build runs before it quantizes: everything up to the equalize pass. */
export const EQUALIZE_STAGES = ENGINE_PIPELINE.slice(0, ENGINE_PIPELINE.indexOf(equalizePass) + 1);

/**
 * `graph` at `inputShapes` as the equalized engine network computes it (same inputs and outputs);
 * `channelRanges` are the measured per-channel ranges the pass balances (default: weight ranges).
 */
export function equalizedGraph(graph: Graph, inputShapes: Record<string, number[]>, opts: { channelRanges?: ReadonlyMap<string, Float32Array>; log?: (line: string) => void } = {}): Graph {
  const { network, passes } = runPipeline(importNetwork(graph, inputShapes), {
    precision: 'fp32', equalize: true, stages: EQUALIZE_STAGES, ...(opts.channelRanges ? { channelRanges: opts.channelRanges } : {}),
  });
  if (opts.log) for (const p of passes) for (const change of p.changes) opts.log(`[${p.pass}] ${change}`);
  return lowerNetwork(network);
}

/**
 * The network the equalize pass starts from (the passes before it) and the tensors it would
 * balance: those between two equalizable convs, whose per-channel ranges a calibration measures.
 */
export function equalizeCandidates(graph: Graph, inputShapes: Record<string, number[]>): { graph: Graph; tensors: string[] } {
  const { network } = runPipeline(importNetwork(graph, inputShapes), { precision: 'fp32', stages: EQUALIZE_STAGES.slice(0, -1) });
  return { graph: lowerNetwork(network), tensors: [...new Set(equalizePairs(network).map((p) => p.b.input))] };
}
