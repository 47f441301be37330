// Each layer kind's fast CPU executors (the CPU "tactics"), in one table. A kind with none, or a
// layer none of its executors applies to, runs lowered (lowered.ts): the framework's kernels on the
// layer's own ONNX lowering. The builder lists the lowered executor last, as the fallback when a
// fast one fails to prepare.
import type { Layer, LayerKind, Network } from '../network.js';
import { loweredTactic } from './lowered.js';
import { cpuConcat, cpuReshape, cpuSlice, cpuTranspose } from './movement.js';
import { cpuConv } from './conv.js';
import { cpuWinograd } from './winograd.js';
import { cpuPool } from './pool.js';
import { cpuReduce } from './reduce.js';
import { cpuAttention } from './attention.js';
import { cpuNorm, cpuSoftmax } from './rows.js';
import { cpuPointwise } from './pointwise.js';
import { cpuGemm, cpuMatmul } from './gemm.js';
import type { CpuCompiler, CpuTactic } from './tactic.js';

const CPU_COMPILERS: { [K in LayerKind]?: CpuCompiler<Extract<Layer, { kind: K }>> } = {
  conv: (l, net, wasm) => [...cpuConv(l, net, wasm), ...cpuWinograd(l, net, wasm)],
  pool: cpuPool,
  reduce: cpuReduce,
  attention: cpuAttention,
  softmax: cpuSoftmax,
  norm: cpuNorm,
  pointwise: cpuPointwise,
  gemm: cpuGemm,
  matmul: cpuMatmul,
  reshape: cpuReshape,
  concat: cpuConcat,
  transpose: cpuTranspose,
  slice: cpuSlice,
};

/** The fast executors of `layer` (possibly none). */
export function cpuFastTactics(layer: Layer, net: Network, wasm: boolean): CpuTactic[] {
  const compile = CPU_COMPILERS[layer.kind] as CpuCompiler | undefined;
  return compile ? compile(layer, net, wasm) : [];
}

/** Every executor of `layer`: its fast ones, then the lowered fallback. */
export function cpuTactics(layer: Layer, net: Network, wasm: boolean): CpuTactic[] {
  return [...cpuFastTactics(layer, net, wasm), loweredTactic(layer)];
}
