/// <reference types="@webgpu/types" />
// A profile engine at other shapes of its range. The engine was built once at the profile's opt
// shapes (tactics timed there, and at min and max: PlanHeader.profileTactics); at any other shape
// in range its layers are made again from the recorded tactic choices of the nearest of the three:
// import and passes at that shape, each layer's recorded tactic, WGSL regenerated with the new
// sizes baked in, pipelines created — no partitioning, no timing. Kernels
// are specialized per shape, not shape-generic. All specializations of a profile run in ONE arena,
// sized at the profile's max shapes when the engine is made and reused at every size in range.
import type { GpuDevice } from '../devices/webgpu/device.js';
import type { Graph } from '../ir/graph.js';
import { buildEnginePlan } from './builder.js';
import type { BuilderConfig } from './config.js';
import type { PlanProfileInput } from './plan-format.js';
import { Engine, type ExecutionContext } from './runtime.js';

/** Specializations made and the time they took (pipeline creation included). */
export interface SpecializationCounts {
  specializations: number;
  specializationMs: number;
}

const shapeKey = (shapes: Record<string, readonly number[]>) => JSON.stringify(Object.entries(shapes).sort(([a], [b]) => (a < b ? -1 : 1)));

export class ProfileEngine {
  private readonly byShape = new Map<string, Promise<ExecutionContext>>();
  /** The tactics recorded at opt (the plan's own) and, where timed, at min and max. */
  private readonly tacticsAt: { shapes: Record<string, number[]>; tactics: ReadonlyMap<string, string> }[];

  private constructor(
    readonly gpu: GpuDevice,
    private readonly graph: Graph,
    readonly base: Engine,
    private readonly config: BuilderConfig,
    readonly arena: GPUBuffer,
    private readonly counts: SpecializationCounts,
  ) {
    this.tacticsAt = recordedEnds(base);
  }

  /**
   * Wraps an engine built at the profile's opt: specializes it at max to size the shared arena
   * (part of the build), and makes the contexts at opt and max over that arena.
   */
  static async create(gpu: GpuDevice, graph: Graph, base: Engine, config: BuilderConfig, counts: SpecializationCounts): Promise<ProfileEngine> {
    const profile = base.plan.header.profile ?? [];
    const at = (k: 'opt' | 'max') => Object.fromEntries(profile.map((p) => [p.name, p[k]]));
    const maxPlan = await buildEnginePlan(gpu, graph, at('max'), quiet(config), { tactics: nearestTactics(recordedEnds(base), at('max')), profile });
    const maxEngine = await Engine.load(gpu, maxPlan, { constantsOf: base });
    const arena = base.createArena(Math.max(base.plan.arenaBytes, maxPlan.arenaBytes));
    config.log?.(`profile: arena sized at max ${maxPlan.arenaBytes} bytes (opt needs ${base.plan.arenaBytes}), shared by every shape in range`);
    const pe = new ProfileEngine(gpu, graph, base, config, arena, counts);
    pe.byShape.set(shapeKey(at('opt')), base.createExecutionContext({ arena }));
    pe.byShape.set(shapeKey(at('max')), maxEngine.createExecutionContext({ arena }));
    return pe;
  }

  get profile(): PlanProfileInput[] {
    return this.base.plan.header.profile ?? [];
  }

  /** The context at these engine input shapes (inside the profile: the caller checks). */
  contextAt(shapes: Record<string, number[]>): Promise<ExecutionContext> {
    const key = shapeKey(shapes);
    let c = this.byShape.get(key);
    if (!c) {
      c = this.specialize(shapes);
      this.byShape.set(key, c);
      c.catch(() => this.byShape.delete(key));
    }
    return c;
  }

  private async specialize(shapes: Record<string, number[]>): Promise<ExecutionContext> {
    const t0 = now();
    const plan = await buildEnginePlan(this.gpu, this.graph, shapes, quiet(this.config), { tactics: nearestTactics(this.tacticsAt, shapes), profile: this.profile });
    const engine = await Engine.load(this.gpu, plan, { constantsOf: this.base });
    // kernels at a shape inside the range need no more than the max shape's arena; a graph whose
    // activations do not grow with its inputs' dims could, and then gets its own
    const fits = plan.arenaBytes <= this.arena.size;
    if (!fits) this.config.log?.(`profile: shape ${JSON.stringify(shapes)} needs ${plan.arenaBytes} arena bytes, over the max's ${this.arena.size}: own arena`);
    const context = await engine.createExecutionContext(fits ? { arena: this.arena } : {});
    this.counts.specializations++;
    this.counts.specializationMs += now() - t0;
    return context;
  }

  dispose(): void {
    for (const c of this.byShape.values()) {
      void c.then((ctx) => {
        ctx.dispose();
        if (ctx.engine !== this.base) ctx.engine.dispose();
      }, () => {});
    }
    this.byShape.clear();
    this.arena.destroy();
  }
}

/** Opt's tactics (the plan's layers) first, then those the plan recorded at min and max. */
function recordedEnds(base: Engine): { shapes: Record<string, number[]>; tactics: ReadonlyMap<string, string> }[] {
  const profile = base.plan.header.profile ?? [];
  const at = (k: 'min' | 'opt' | 'max') => Object.fromEntries(profile.map((p) => [p.name, [...p[k]]]));
  const out = [{ shapes: at('opt'), tactics: new Map(base.plan.layers.map((l) => [l.name, l.tactic])) as ReadonlyMap<string, string> }];
  for (const end of ['min', 'max'] as const) {
    const t = base.plan.header.profileTactics?.[end];
    if (t) out.push({ shapes: at(end), tactics: new Map(Object.entries(t)) });
  }
  return out;
}

/**
 * The recorded tactics for the shapes nearest these: distance is the sum over dims of |log(d / d')|,
 * so batch 2 is nearer 1 than 16; a tie keeps the earlier entry (opt).
 */
export function nearestTactics(recorded: readonly { shapes: Record<string, number[]>; tactics: ReadonlyMap<string, string> }[], shapes: Record<string, readonly number[]>): ReadonlyMap<string, string> {
  const distance = (ref: Record<string, number[]>) => Object.entries(shapes).reduce((sum, [name, dims]) =>
    sum + dims.reduce((s, d, i) => s + Math.abs(Math.log(Math.max(1, d) / Math.max(1, ref[name]?.[i] ?? d))), 0), 0);
  let best = recorded[0]!;
  for (const r of recorded.slice(1)) if (distance(r.shapes) < distance(best.shapes)) best = r;
  return best.tactics;
}

/** The builder config for a specialization: no timing, no progress bar, the log kept. */
function quiet(config: BuilderConfig): BuilderConfig {
  return { ...config, timeTactics: false, progress: undefined };
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
