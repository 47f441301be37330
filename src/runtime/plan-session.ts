// A session over a loaded engine plan (`nnrt verify model.plan`): the plan's inputs and outputs,
// one execution context, the same `run` as any session. A profile plan runs at any shape in its
// range: other shapes are specialized from its recorded tactics and its source graph. A plan set
// (several profiles in one file) runs each shape on the first profile that holds it (TensorRT's
// default), or on the one profile asked for; a shape outside is a ProfileError listing every range.
import type { GpuDevice } from '../devices/webgpu/device.js';
import { Graph } from '../ir/graph.js';
import type { Session } from './session.js';
import { Engine, type ExecutionContext, type LoadOptions } from '../engine/runtime.js';
import { ProfileEngine, type SpecializationCounts } from '../engine/specialize.js';
import type { EnginePlan, PlanProfileInput } from '../engine/plan-format.js';
import { parsePlans } from '../engine/plan-set.js';
import { importOnnx } from '../onnx/import/model.js';
import { PlanError, ProfileError, UsageError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { describeProfile, findProfile, outsideProfilesError, profileContains, type ShapeProfile } from '../engine/profile.js';

export interface PlanSessionOptions extends LoadOptions {
  /** Run every shape on this profile of the plan (0-based); default: the first profile holding the shapes. */
  profile?: number;
}

/** What a plan session did: which profile ran last, and the specializations made. */
export interface PlanSessionStats extends SpecializationCounts {
  profiles: ShapeProfile[];
  profile?: number;
}

const asProfile = (ranges: readonly PlanProfileInput[]): ShapeProfile => Object.fromEntries(ranges.map((r) => [r.name, { min: r.min, opt: r.opt, max: r.max }]));

export async function createPlanSession(gpu: GpuDevice, bytes: Uint8Array, opts: PlanSessionOptions = {}): Promise<Session & { planStats(): PlanSessionStats }> {
  const plans = parsePlans(bytes);
  const { profile: asked, ...loadOpts } = opts;
  const ranged = plans.every((p) => p.header.profile);
  if (asked !== undefined && (!ranged || !Number.isInteger(asked) || asked < 0 || asked >= plans.length)) {
    throw new UsageError(`profile ${asked} asked for; the plan has ${ranged ? `profiles 0..${plans.length - 1}` : 'no profiles'}`, { hint: 'give a profile index the plan has, or none' });
  }
  for (const p of plans) if (p.header.profile && !p.source) throw new PlanError('the profile plan has no source graph to specialize', { hint: 'rebuild it with `nnrt build --min/--opt/--max`' });
  const profiles = ranged ? plans.map((p) => asProfile(p.header.profile!)) : [];
  const counts = { specializations: 0, specializationMs: 0 };
  // a profile's engine is loaded (weights uploaded, arena sized at its max) when a shape first needs it
  const engines = new Map<number, Promise<{ engine: Engine; profile?: ProfileEngine; context?: ExecutionContext }>>();
  const engineOf = (k: number) => {
    let e = engines.get(k);
    if (!e) {
      e = loadProfile(gpu, plans[k]!, loadOpts, counts);
      engines.set(k, e);
      e.catch(() => engines.delete(k));
    }
    return e;
  };
  const first = await engineOf(asked ?? 0);
  const { header } = first.engine.plan;
  const varies = (name: string, i: number) => plans.some((p) => p.header.profile?.some((r) => r.name === name && r.min[i] !== r.max[i]));
  const graph = new Graph({
    name: `plan ${header.graphHash}`,
    inputs: header.inputs.map((i) => ({ name: i.name, dtype: i.dtype ?? 'float32', shape: i.shape.map((d, k) => (varies(i.name, k) ? `${i.name}_d${k}` : d)) })),
    outputs: header.outputs.map((o) => ({ name: o.name, dtype: o.dtype ?? 'float32', shape: [...o.shape] })),
  });
  let last: number | undefined;
  const contextFor = async (feeds: Record<string, Tensor>): Promise<ExecutionContext> => {
    if (!ranged) return first.context!;
    const shapes = Object.fromEntries(header.inputs.map((i) => [i.name, [...(feeds[i.name]?.shape ?? i.shape)]]));
    const k = asked ?? findProfile(profiles, shapes);
    if (k < 0) throw outsideProfilesError(profiles, shapes);
    if (!profileContains(profiles[k]!, shapes)) {
      throw new ProfileError(`input shapes ${Object.entries(shapes).map(([n, s]) => `${n}=[${s.join(',')}]`).join(', ')} are outside profile ${k}, the one asked for (${describeProfile(profiles[k]!)})`, {
        where: `profile ${k}`,
        hint: `every profile of the plan: ${profiles.map((p, j) => `profile ${j}: ${describeProfile(p)}`).join(' | ')}; ask for one that holds the shapes, or none`,
      });
    }
    last = k;
    return (await engineOf(k)).profile!.contextAt(shapes);
  };
  return {
    graph,
    inputs: graph.inputs,
    outputs: graph.outputs,
    run: async (feeds) => (await contextFor(feeds)).run(feeds),
    stats: () => ({ nodes: first.engine.plan.layers.length, peakBytes: first.profile?.arena.size ?? first.engine.plan.arenaBytes, transfers: 0 }),
    planStats: () => ({ ...counts, profiles, ...(last !== undefined ? { profile: last } : {}) }),
    dispose: () => {
      for (const e of engines.values()) {
        void e.then(({ engine, profile, context }) => {
          if (profile) profile.dispose();
          else context?.dispose();
          engine.dispose();
        }, () => {});
      }
      engines.clear();
    },
  };
}

async function loadProfile(gpu: GpuDevice, plan: EnginePlan, opts: LoadOptions, counts: SpecializationCounts) {
  const engine = await Engine.load(gpu, plan, opts);
  if (!plan.header.profile) return { engine, context: await engine.createExecutionContext() };
  const profile = await ProfileEngine.create(gpu, importOnnx(plan.source!).graph, engine, { precision: plan.header.precision }, counts);
  return { engine, profile };
}
