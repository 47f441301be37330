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
import type { PlanProfileInput } from './plan-format.js';
import { Engine, type ExecutionContext } from './runtime.js';
import { ProfileEngine, type SpecializationCounts } from './specialize.js';

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

/**
 * The cache key of an engine: graph with weights, input shapes and dtypes, the profile (each
 * input's min/opt/max) when built for one, precision (and per-layer overrides), an int8 build's
 * calibration (scales, header, per-channel ranges), memory budget, adapter and its features, version.
 */
export function engineKey(gpu: GpuDevice, graph: Graph, inputShapes: Record<string, number[]>, opts: EngineServiceOptions, profile?: readonly PlanProfileInput[]): string {
  const parts = JSON.stringify({
    graph: hashGraph(graph, { weights: true }),
    inputs: Object.entries(inputShapes).sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, s]) => [n, s, 'float32']),
    profile: profile ? [...profile].sort((a, b) => (a.name < b.name ? -1 : 1)).map((p) => [p.name, p.min, p.opt, p.max]) : null,
    precision: opts.precision ?? 'fp32',
    layerPrecision: Object.entries(opts.layerPrecision ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)),
    ...(opts.calibration ? { calibration: calibrationDigest(opts.calibration) } : {}),
    ...(opts.floatPrecision ? { floatPrecision: opts.floatPrecision } : {}),
    memoryBudget: opts.memoryBudget ?? null,
    ...(opts.tacticSources ? { tacticSources: [...opts.tacticSources].sort() } : {}),
    adapter: gpu.adapter,
    features: [...gpu.features].sort(),
    nnrt: VERSION,
  });
  return fnv1a64(new TextEncoder().encode(parts));
}

/** A digest of everything in a calibration that changes an int8 build. */
function calibrationDigest(c: NonNullable<BuilderConfig['calibration']>): string {
  const sorted = <V>(m: ReadonlyMap<string, V> | undefined) => [...(m ?? new Map<string, V>())].sort(([a], [b]) => (a < b ? -1 : 1));
  const text = JSON.stringify({ header: c.header ?? null, scales: sorted(c.scales), channels: sorted(c.channelRanges).map(([k, v]) => [k, [...v]]) });
  return fnv1a64(new TextEncoder().encode(text));
}

export interface EngineRecord {
  engine: Engine;
  context: ExecutionContext;
  /** 'built' or 'cache' (loaded from the plan store). */
  source: 'built' | 'cache';
  buildMs: number;
  /** Built for a profile: the engine at other shapes of its range (specialized from its tactics). */
  profile?: ProfileEngine;
}

/** What the service did: engines built (tactics timed), loaded from the plan store, and specializations. */
export interface EngineServiceCounts extends SpecializationCounts {
  builds: number;
  loads: number;
}

export class EngineService {
  private readonly records = new Map<string, Promise<EngineRecord>>();
  readonly counts: EngineServiceCounts = { builds: 0, loads: 0, specializations: 0, specializationMs: 0 };

  constructor(readonly gpu: GpuDevice, readonly opts: EngineServiceOptions = {}) {}

  /**
   * The engine for `graph` at these input shapes: from memory, the plan store, or a new build.
   * `fp32Layers`: layers the partitioner's fallback keeps in fp32 (merged into layerPrecision).
   * `profile`: build for this range of input shapes (`inputShapes` is its opt: tactics are timed there).
   */
  get(graph: Graph, inputShapes: Record<string, number[]>, fp32Layers: Readonly<Record<string, 'fp32'>> = {}, profile?: PlanProfileInput[]): Promise<EngineRecord> {
    const opts = Object.keys(fp32Layers).length ? { ...this.opts, layerPrecision: { ...this.opts.layerPrecision, ...fp32Layers } } : this.opts;
    const key = engineKey(this.gpu, graph, inputShapes, opts, profile);
    let r = this.records.get(key);
    if (!r) {
      r = this.make(key, graph, inputShapes, opts, profile);
      this.records.set(key, r);
      r.catch(() => this.records.delete(key));
    }
    return r;
  }

  private async make(key: string, graph: Graph, inputShapes: Record<string, number[]>, opts: EngineServiceOptions, profile?: PlanProfileInput[]): Promise<EngineRecord> {
    const store = opts.planStore;
    const warn = opts.warn ?? (() => {});
    const t0 = now();
    const stored = store?.read(key);
    if (stored && 'corrupt' in stored) warn(`${stored.corrupt}; rebuilding`);
    let engine: Engine | undefined;
    if (stored && 'bytes' in stored) {
      try {
        engine = await Engine.load(this.gpu, stored.bytes, { inputShapes });
        this.counts.loads++;
      } catch (e) {
        if (!(e instanceof NnrtError)) throw e;
        warn(`engine cache entry ${key} could not be used (${e.message}); rebuilding`);
      }
    }
    const source = engine ? 'cache' : 'built';
    if (!engine) {
      const plan = await buildEnginePlan(this.gpu, graph, inputShapes, opts, { profile });
      engine = await Engine.load(this.gpu, plan);
      store?.write(key, engine.serialize());
      this.counts.builds++;
    }
    if (!profile) return { engine, context: await engine.createExecutionContext(), source, buildMs: now() - t0 };
    const pe = await ProfileEngine.create(this.gpu, graph, engine, opts, this.counts);
    return { engine, context: await pe.contextAt(inputShapes), source, buildMs: now() - t0, profile: pe };
  }

  dispose(): void {
    for (const r of this.records.values()) {
      void r.then((rec) => {
        if (rec.profile) rec.profile.dispose();
        else rec.context.dispose();
        rec.engine.dispose();
      }, () => {});
    }
    this.records.clear();
  }
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
