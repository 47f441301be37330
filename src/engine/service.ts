// Builds (or loads from a plan store) the engine of each nnrt.Engine node a session meets, once
// per node and input shapes, and hands the framework an execution context for it. A plan store
// (the engine cache directory in Node) makes a second process load plans instead of building.
import type { GpuDevice } from '../devices/webgpu/device.js';
import { NnrtError } from '../errors.js';
import { fnv1a64, hashGraph } from '../ir/hash.js';
import type { Graph } from '../ir/graph.js';
import { VERSION } from '../version.js';
import { buildEnginePlan } from './builder.js';
import type { BuilderConfig } from './config.js';
import { Engine, type ExecutionContext } from './runtime.js';

/** Where built plans are kept between processes (Node: an EngineCache directory). */
export interface PlanStore {
  read(key: string): { bytes: Uint8Array } | { corrupt: string } | undefined;
  write(key: string, bytes: Uint8Array): void;
}

export interface EngineServiceOptions extends BuilderConfig {
  planStore?: PlanStore;
  /** Notices: a corrupt cache entry rebuilt, a plan loaded from the cache. */
  warn?: (line: string) => void;
}

/** The cache key of an engine: graph with weights, input shapes and dtypes, precision (and per-layer overrides), memory budget, adapter and its features, version. */
export function engineKey(gpu: GpuDevice, graph: Graph, inputShapes: Record<string, number[]>, opts: EngineServiceOptions): string {
  const parts = JSON.stringify({
    graph: hashGraph(graph, { weights: true }),
    inputs: Object.entries(inputShapes).sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, s]) => [n, s, 'float32']),
    precision: opts.precision ?? 'fp32',
    layerPrecision: Object.entries(opts.layerPrecision ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)),
    memoryBudget: opts.memoryBudget ?? null,
    adapter: gpu.adapter,
    features: [...gpu.features].sort(),
    nnrt: VERSION,
  });
  return fnv1a64(new TextEncoder().encode(parts));
}

export interface EngineRecord {
  engine: Engine;
  context: ExecutionContext;
  /** 'built' or 'cache' (loaded from the plan store). */
  source: 'built' | 'cache';
  buildMs: number;
}

export class EngineService {
  private readonly records = new Map<string, Promise<EngineRecord>>();

  constructor(readonly gpu: GpuDevice, readonly opts: EngineServiceOptions = {}) {}

  /**
   * The engine for `graph` at these input shapes: from memory, the plan store, or a new build.
   * `fp32Layers`: layers the partitioner's fallback keeps in fp32 (merged into layerPrecision).
   */
  get(graph: Graph, inputShapes: Record<string, number[]>, fp32Layers: Readonly<Record<string, 'fp32'>> = {}): Promise<EngineRecord> {
    const opts = Object.keys(fp32Layers).length ? { ...this.opts, layerPrecision: { ...this.opts.layerPrecision, ...fp32Layers } } : this.opts;
    const key = engineKey(this.gpu, graph, inputShapes, opts);
    let r = this.records.get(key);
    if (!r) {
      r = this.make(key, graph, inputShapes, opts);
      this.records.set(key, r);
      r.catch(() => this.records.delete(key));
    }
    return r;
  }

  private async make(key: string, graph: Graph, inputShapes: Record<string, number[]>, opts: EngineServiceOptions): Promise<EngineRecord> {
    const store = opts.planStore;
    const warn = opts.warn ?? (() => {});
    const t0 = now();
    const stored = store?.read(key);
    if (stored && 'corrupt' in stored) warn(`${stored.corrupt}; rebuilding`);
    if (stored && 'bytes' in stored) {
      try {
        const engine = await Engine.load(this.gpu, stored.bytes, { inputShapes });
        return { engine, context: await engine.createExecutionContext(), source: 'cache', buildMs: now() - t0 };
      } catch (e) {
        if (!(e instanceof NnrtError)) throw e;
        warn(`engine cache entry ${key} could not be used (${e.message}); rebuilding`);
      }
    }
    const plan = await buildEnginePlan(this.gpu, graph, inputShapes, opts);
    const engine = await Engine.load(this.gpu, plan);
    store?.write(key, engine.serialize());
    return { engine, context: await engine.createExecutionContext(), source: 'built', buildMs: now() - t0 };
  }

  dispose(): void {
    for (const r of this.records.values()) {
      void r.then((rec) => {
        rec.context.dispose();
        rec.engine.dispose();
      }, () => {});
    }
    this.records.clear();
  }
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
