// A session over a loaded cpu engine plan (`nnrt verify model.cpu.plan`): the plan's inputs and
// outputs and the same `run` as any session, on the CPU engine (src/engine/cpu/).
import { Graph } from '../ir/graph.js';
import { prepareWasmKernels } from '../cpu/wasm-kernels.js';
import { CpuEngine, type CpuLoadOptions } from '../engine/cpu/engine.js';
import type { Session } from './session.js';

export async function createCpuPlanSession(bytes: Uint8Array, opts: CpuLoadOptions = {}): Promise<Session> {
  await prepareWasmKernels();
  const engine = CpuEngine.load(bytes, opts);
  const { header } = engine.plan;
  const graph = new Graph({
    name: `cpu plan ${header.graphHash}`,
    inputs: header.inputs.map((i) => ({ name: i.name, dtype: 'float32' as const, shape: [...i.shape] })),
    outputs: header.outputs.map((o) => ({ name: o.name, dtype: 'float32' as const, shape: [...o.shape] })),
  });
  return {
    graph,
    inputs: graph.inputs,
    outputs: graph.outputs,
    run: async (feeds) => engine.run(feeds),
    stats: () => ({ nodes: engine.plan.layers.length, peakBytes: engine.plan.arenaBytes, transfers: 0 }),
    dispose: () => engine.dispose(),
  };
}
