// The universal CPU executor: a layer's own lowering to ONNX nodes (layers/<kind>.ts `lower`)
// run by the framework's CPU kernels. Correct for every kind by construction, and the reason the
// CPU engine never refuses a layer the importer took; the build log names the layers that ran this
// way. Inputs are copied out of the arena into tensors and the output copied back.
import { Graph, ONNX_DOMAIN } from '../../ir/graph.js';
import { GraphProgram, Scope, type RunMeter } from '../../executor/program.js';
import { elementCount } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { Emitter } from '../layers/emitter.js';
import { kindOf } from '../layers/index.js';
import type { Layer, Network } from '../network.js';
import { layerOutputs, tensorInputs } from '../passes/net-utils.js';
import { LOWERED, type CpuEnv, type CpuRun, type CpuTactic } from './tactic.js';

/** The layer as a small ONNX-semantics graph over its input and output tensor names. */
export function loweredGraph(layer: Layer, net: Network): Graph {
  const g = new Graph({ name: `lowered ${layer.name}`, opsets: new Map([[ONNX_DOMAIN, 18]]) });
  const inputs = [...new Set(tensorInputs(layer))];
  g.inputs = inputs.map((name) => ({ name, dtype: 'float32', shape: [...net.tensors.get(name)!.shape] }));
  // every tensor the layer writes (a norm's residual sum too)
  g.outputs = layerOutputs(layer).map((name) => ({ name, dtype: 'float32' as const, shape: [...net.tensors.get(name)!.shape] }));
  kindOf(layer).lower(new Emitter(g, net, layer), layer);
  return g;
}

export function loweredTactic(layer: Layer): CpuTactic {
  return {
    name: LOWERED,
    scratchBytes: 0,
    prepare(env: CpuEnv): CpuRun {
      const g = loweredGraph(layer, env.net);
      // binds every node now: a kernel the framework lacks fails the build, not a run
      const program = new GraphProgram(g, { maxLoopIterations: 0, memoryBudget: Infinity, cpuKernels: 'fast' });
      const inputs = g.inputs.map((v) => ({ name: v.name, shape: v.shape as number[], at: env.at(v.name), count: elementCount(v.shape as number[]) }));
      const outs = g.outputs.map((o) => ({ name: o.name, at: env.at(o.name), count: elementCount(o.shape as number[]) }));
      return () => {
        const f = env.mem.f32();
        const scope = new Scope();
        for (const [k, t] of g.initializers) scope.local.set(k, t);
        for (const i of inputs) scope.local.set(i.name, new Tensor('float32', i.shape, f.slice(i.at / 4, i.at / 4 + i.count)));
        const meter: RunMeter = { nodes: 0, live: 0, peak: 0 };
        program.run(scope, meter);
        const f2 = env.mem.f32();
        for (const o of outs) f2.set((scope.get(o.name) as Tensor).data as Float32Array, o.at / 4);
      };
    },
  };
}
