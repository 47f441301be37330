// The dry build: every step of the builder that decides whether the engine can take a subgraph
// (import with the support predicate, constant folding, passes, a tactic for every layer), without
// a device. The partitioner runs it on each subgraph it proposes so a refusal becomes a fallback
// before any build starts; the builder runs the same functions, so the two cannot disagree.
import type { Graph } from '../ir/graph.js';
import { BASELINE_CAPS, type DeviceCaps } from '../devices/webgpu/caps.js';
import { buildNetwork, concatPlacements } from './builder.js';
import { checkBuilderConfig, type BuilderConfig } from './config.js';
import type { KernelContext } from './kernels/tactic.js';
import { layerTactics } from './layer-tactics.js';
import { EngineRefusalError, type BuildRefusal } from './refusal.js';

/**
 * WebGPU's guaranteed minimum limits: what every adapter offers. A dry build without a device
 * (`nnrt inspect --partition`) assumes them; sessions pass their device's limits.
 */
export const DEFAULT_KERNEL_CAPS: DeviceCaps = BASELINE_CAPS;

export interface CheckBuildOptions extends Pick<BuilderConfig, 'precision' | 'calibration' | 'layerPrecision' | 'memoryBudget'> {
  caps?: DeviceCaps;
}

/** undefined when the engine can build `graph` at these input shapes, else the first refusal. */
export function checkEngineBuild(graph: Graph, inputShapes: Record<string, number[]>, opts: CheckBuildOptions = {}): BuildRefusal | undefined {
  try {
    const cfg = checkBuilderConfig({ precision: opts.precision, ...(opts.calibration ? { calibration: opts.calibration } : {}), layerPrecision: opts.layerPrecision, memoryBudget: opts.memoryBudget });
    const caps = opts.caps ?? DEFAULT_KERNEL_CAPS;
    const network = buildNetwork(graph, inputShapes, cfg, caps);
    const ctx: KernelContext = { caps, tensors: network.tensors, placement: concatPlacements(network) };
    for (const layer of network.layers) layerTactics(layer, ctx, cfg);
    return undefined;
  } catch (e) {
    if (e instanceof EngineRefusalError) return e.refusal;
    throw e;
  }
}
