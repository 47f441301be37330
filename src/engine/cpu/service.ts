// Builds (or loads from a plan store) the CPU engine of each nnrt.Engine node a CPU engine session
// meets, once per subgraph and input shapes. Plan-store keys name the backend, so a webgpu plan
// and a cpu plan of the same subgraph never meet.
import { NnrtError } from '../../errors.js';
import type { Graph } from '../../ir/graph.js';
import { fnv1a64, hashGraph } from '../../ir/hash.js';
import { VERSION } from '../../version.js';
import type { EngineServiceCounts, EngineServiceOptions } from '../service.js';
import { CpuEngine, cpuAdapter } from './engine.js';
import { cpuEngineHasWasm } from './memory.js';

/** The plan-store key of a CPU engine: backend, graph with weights, input shapes, budget, executors available, version. */
export function cpuEngineKey(graph: Graph, inputShapes: Record<string, number[]>, opts: EngineServiceOptions): string {
  const parts = JSON.stringify({
    backend: 'cpu',
    graph: hashGraph(graph, { weights: true }),
    inputs: Object.entries(inputShapes).sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, s]) => [n, s, 'float32']),
    memoryBudget: opts.memoryBudget ?? null,
    adapter: cpuAdapter(cpuEngineHasWasm()),
    nnrt: VERSION,
  });
  return fnv1a64(new TextEncoder().encode(parts));
}

export interface CpuEngineRecord {
  engine: CpuEngine;
  source: 'built' | 'cache';
  buildMs: number;
}

export class CpuEngineService {
  private readonly records = new Map<string, CpuEngineRecord>();
  readonly counts: EngineServiceCounts = { builds: 0, loads: 0, specializations: 0, specializationMs: 0 };

  constructor(readonly opts: EngineServiceOptions = {}) {}

  /** The engine for `graph` at these input shapes: from memory, the plan store, or a new build. */
  get(graph: Graph, inputShapes: Record<string, number[]>): CpuEngineRecord {
    const key = cpuEngineKey(graph, inputShapes, this.opts);
    let r = this.records.get(key);
    if (!r) {
      r = this.make(key, graph, inputShapes);
      this.records.set(key, r);
    }
    return r;
  }

  dispose(): void {
    disposeCpuRecords(this.records.values());
    this.records.clear();
  }

  private make(key: string, graph: Graph, inputShapes: Record<string, number[]>): CpuEngineRecord {
    const store = this.opts.planStore;
    const warn = this.opts.warn ?? (() => {});
    const t0 = now();
    const stored = store?.read(key);
    if (stored && 'corrupt' in stored) warn(`${stored.corrupt}; rebuilding`);
    if (stored && 'bytes' in stored) {
      try {
        const engine = CpuEngine.load(stored.bytes, { inputShapes, log: this.opts.log });
        this.counts.loads++;
        return { engine, source: 'cache', buildMs: now() - t0 };
      } catch (e) {
        if (!(e instanceof NnrtError)) throw e;
        warn(`engine cache entry ${key} could not be used (${e.message}); rebuilding`);
      }
    }
    const engine = CpuEngine.build(graph, inputShapes, this.opts);
    this.counts.builds++;
    store?.write(key, engine.serialize());
    return { engine, source: 'built', buildMs: now() - t0 };
  }
}

export function disposeCpuRecords(records: Iterable<CpuEngineRecord>): void {
  for (const r of records) r.engine.dispose();
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
