// The CPU backend's dry build, for the partitioner: import and passes decide whether the engine
// takes a subgraph (every layer then has an executor, the lowered one at least), so a refusal
// becomes a fallback before any build starts.
import type { Graph } from '../../ir/graph.js';
import { checkBuilderConfig, type BuilderConfig } from '../config.js';
import { EngineRefusalError, type BuildRefusal } from '../refusal.js';
import { buildCpuNetwork } from './network.js';

/** undefined when the cpu engine can build `graph` at these input shapes, else the first refusal. */
export function checkCpuEngineBuild(graph: Graph, inputShapes: Record<string, number[]>, opts: Pick<BuilderConfig, 'memoryBudget'> = {}): BuildRefusal | undefined {
  try {
    buildCpuNetwork(graph, inputShapes, checkBuilderConfig({ memoryBudget: opts.memoryBudget }));
    return undefined;
  } catch (e) {
    if (e instanceof EngineRefusalError) return e.refusal;
    throw e;
  }
}
