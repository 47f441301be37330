// A session over a loaded engine plan (`nnrt verify model.plan`): the plan's inputs and outputs,
// one execution context, the same `run` as any session. A profile plan runs at any shape in its
// range: other shapes are specialized from its recorded tactics and its source graph; a shape
// outside the range is a ProfileError.
import type { GpuDevice } from '../devices/webgpu/device.js';
import { Graph } from '../ir/graph.js';
import type { Session } from './session.js';
import { Engine, type ExecutionContext, type LoadOptions } from '../engine/runtime.js';
import { ProfileEngine } from '../engine/specialize.js';
import { importOnnx } from '../onnx/import/model.js';
import { PlanError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkEngineInputs } from './session-profiles.js';
import { outsideProfilesError } from '../engine/profile.js';

export async function createPlanSession(gpu: GpuDevice, bytes: Uint8Array, opts: LoadOptions = {}): Promise<Session> {
  const engine = await Engine.load(gpu, bytes, opts);
  const { header } = engine.plan;
  const ranges = header.profile;
  if (ranges && !engine.plan.source) throw new PlanError('the profile plan has no source graph to specialize', { hint: 'rebuild it with `nnrt build --min/--opt/--max`' });
  const counts = { specializations: 0, specializationMs: 0 };
  const profile = ranges ? await ProfileEngine.create(gpu, importOnnx(engine.plan.source!).graph, engine, { precision: header.precision }, counts) : undefined;
  const context = profile ? undefined : await engine.createExecutionContext();
  const symbolic = (name: string, shape: number[]) => {
    const r = ranges?.find((p) => p.name === name);
    return r ? shape.map((d, i) => (r.min[i] === r.max[i] ? d : `${name}_d${i}`)) : [...shape];
  };
  const graph = new Graph({
    name: `plan ${header.graphHash}`,
    inputs: header.inputs.map((i) => ({ name: i.name, dtype: i.dtype ?? 'float32', shape: symbolic(i.name, i.shape) })),
    outputs: header.outputs.map((o) => ({ name: o.name, dtype: o.dtype ?? 'float32', shape: [...o.shape] })),
  });
  const contextFor = async (feeds: Record<string, Tensor>): Promise<ExecutionContext> => {
    if (!profile) return context!;
    const shapes = Object.fromEntries(header.inputs.map((i) => [i.name, [...(feeds[i.name]?.shape ?? i.shape)]]));
    try {
      checkEngineInputs('the plan', ranges!, shapes);
    } catch {
      throw outsideProfilesError([Object.fromEntries(ranges!.map((r) => [r.name, r]))], shapes);
    }
    return profile.contextAt(shapes);
  };
  return {
    graph,
    inputs: graph.inputs,
    outputs: graph.outputs,
    run: async (feeds) => (await contextFor(feeds)).run(feeds),
    stats: () => ({ nodes: engine.plan.layers.length, peakBytes: profile?.arena.size ?? engine.plan.arenaBytes, transfers: 0 }),
    dispose: () => {
      if (profile) profile.dispose();
      else context!.dispose();
      engine.dispose();
    },
  };
}
