// The CPU backend's network: the same import and passes as the WebGPU engine (fold constants and
// BatchNorm, fuse epilogues, pointwise chains, GELU, norms, attention, concat in place), minus the
// two passes that choose GPU formats: every tensor stays plain row-major f32 (NCHW for images),
// which is what the CPU kernels read.
import type { Graph } from '../../ir/graph.js';
import { UsageError } from '../../errors.js';
import type { CheckedConfig } from '../config.js';
import { importNetwork } from '../import.js';
import { isFloatTensor, type Network } from '../network.js';
import { layerOutputs, tensorInputs } from '../passes/net-utils.js';
import { layoutPass } from '../passes/layout.js';
import { mergeGemmsPass } from '../passes/merge-gemms.js';
import { splitGemmOutputsPass } from '../passes/split-gemm-outputs.js';
import { ENGINE_PIPELINE, runPipeline } from '../passes/pipeline.js';
import { fuseNormQuantizePass } from '../passes/fuse-norm-quantize.js';
import { int8MaxPoolPass } from '../passes/int8-max-pool.js';
import { int8SpaceToDepthPass } from '../passes/int8-space-to-depth.js';
import { int8StoragePass } from '../passes/int8-storage.js';
import { precisionPass } from '../passes/precision.js';
import { EngineRefusalError } from '../refusal.js';

// the GPU's layout and precision choices, merged sibling GEMMs (their split outputs are a GPU
// epilogue; the CPU GEMM writes one tensor) and quantizes folded into norms (the CPU norm writes
// floats; its quantize stays a pointwise layer) are left out, and so are max pools moved onto
// integers (a GPU memory-traffic saving)
export const CPU_PIPELINE = ENGINE_PIPELINE.filter((p) => p !== layoutPass && p !== precisionPass && p !== int8StoragePass && p !== mergeGemmsPass && p !== splitGemmOutputsPass && p !== fuseNormQuantizePass && p !== int8MaxPoolPass && p !== int8SpaceToDepthPass);

/** Refuses builder options the CPU backend does not have (fp16 storage, int8 calibration). */
export function checkCpuConfig(cfg: CheckedConfig): void {
  if (cfg.precision !== 'fp32' || Object.values(cfg.layerPrecision).some((p) => p !== 'fp32')) {
    throw new UsageError('the cpu engine computes and stores in fp32 only', { hint: 'leave --precision at fp32 with --engine cpu, or use --engine webgpu for fp16' });
  }
  if (cfg.int8) {
    throw new UsageError('int8 calibration is for the webgpu engine; the cpu engine runs fp32 (QDQ models run their quantized layers lowered)', { hint: 'leave out --calibration with --engine cpu' });
  }
}

/** Import and passes for the CPU: the network whose layers get CPU executors. */
export function buildCpuNetwork(graph: Graph, inputShapes: Record<string, number[]>, cfg: CheckedConfig): Network {
  checkCpuConfig(cfg);
  const { network, passes } = runPipeline(importNetwork(graph, inputShapes, { log: cfg.log }), { precision: 'fp32', stages: CPU_PIPELINE });
  for (const p of passes) for (const change of p.changes) cfg.log(`[${p.pass}] ${change}`);
  // integer and bool tensors stay in the framework (the partitioner's predicate keeps them out; this
  // refuses whatever still reaches the builder rather than computing it as floats)
  const notFloat = network.layers.filter((l) => [...tensorInputs(l), ...layerOutputs(l)].some((t) => !isFloatTensor(network.tensors.get(t)!)));
  if (notFloat.length) {
    throw new EngineRefusalError({ nodes: notFloat.flatMap((l) => l.from), reason: `layer ${notFloat[0]!.name} (${notFloat[0]!.kind}) has integer or bool tensors; the cpu engine computes float32 tensors only`, remedy: 'framework' }, { hint: 'let the partitioner leave these nodes to the framework' });
  }
  if (network.layers.length === 0) {
    throw new EngineRefusalError({ nodes: graph.nodes.map((n) => n.name), reason: 'the graph has nothing for the engine to run once Identity nodes are removed', remedy: 'framework' }, { hint: 'run it in the framework' });
  }
  return network;
}
