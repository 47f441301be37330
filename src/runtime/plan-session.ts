// A session over a loaded engine plan (`nnrt verify model.plan`): the plan's inputs and outputs,
// one execution context, the same `run` as any session.
import type { GpuDevice } from '../devices/webgpu/device.js';
import { Graph } from '../ir/graph.js';
import type { Session } from './session.js';
import { Engine, type LoadOptions } from '../engine/runtime.js';

export async function createPlanSession(gpu: GpuDevice, bytes: Uint8Array, opts: LoadOptions = {}): Promise<Session> {
  const engine = await Engine.load(gpu, bytes, opts);
  const context = await engine.createExecutionContext();
  const { header } = engine.plan;
  const graph = new Graph({
    name: `plan ${header.graphHash}`,
    inputs: header.inputs.map((i) => ({ name: i.name, dtype: 'float32' as const, shape: [...i.shape] })),
    outputs: header.outputs.map((o) => ({ name: o.name, dtype: 'float32' as const, shape: [...o.shape] })),
  });
  return {
    graph,
    inputs: graph.inputs,
    outputs: graph.outputs,
    run: (feeds) => context.run(feeds),
    stats: () => ({ nodes: engine.plan.layers.length, peakBytes: engine.plan.arenaBytes, transfers: 0 }),
    dispose: () => {
      context.dispose();
      engine.dispose();
    },
  };
}
