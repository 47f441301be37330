// The engine's passes in the order they run. The graph passes run on the IR graph inside
// importNetwork; the network passes run on the imported network through runPipeline.
import { BASELINE_CAPS, type DeviceCaps } from '../../devices/webgpu/caps.js';
import type { Network } from '../network.js';
import { absorbTransposePass } from './absorb-transpose.js';
import { concatInPlacePass } from './concat-in-place.js';
import { equalizePass } from './equalize.js';
import { foldBatchNormPass } from './fold-batchnorm.js';
import { foldConstantsPass } from './fold-constants.js';
import { fuseEpiloguePass } from './fuse-epilogue.js';
import { fuseMatmulPass } from './fuse-matmul.js';
import { fusePointwisePass } from './fuse-pointwise.js';
import { fuseNormSkipPass } from './fuse-norm-skip.js';
import { fuseSoftmaxMaskPass } from './fuse-softmax-mask.js';
import { fuseAttentionPass } from './fuse-attention.js';
import { fuseGeluPass } from './fuse-gelu.js';
import { fuseInt8EpiloguePass } from './fuse-int8-epilogue.js';
import { int8ResidualPass } from './int8-residual.js';
import { int8MaxPoolPass } from './int8-max-pool.js';
import { fuseNormQuantizePass } from './fuse-norm-quantize.js';
import { int8QuantizeOnLoadPass } from './int8-quantize-on-load.js';
import { int8StoragePass } from './int8-storage.js';
import { int8SpaceToDepthPass } from './int8-space-to-depth.js';
import { layoutPass } from './layout.js';
import { mergeGemmsPass } from './merge-gemms.js';
import { splitGemmOutputsPass } from './split-gemm-outputs.js';
import { cloneNetwork, pruneTensors } from './net-utils.js';
import type { EnginePass, GraphPass, Precision } from './pass.js';
import { precisionPass } from './precision.js';
import { removeIdentityPass } from './remove-identity.js';
import { quantizeExplicitPass } from './quantize-explicit.js';
import { quantizeImplicitPass } from './quantize-implicit.js';

export const GRAPH_PIPELINE: readonly GraphPass[] = [foldConstantsPass];

export const ENGINE_PIPELINE: readonly EnginePass[] = [
  removeIdentityPass,
  quantizeExplicitPass,
  absorbTransposePass,
  foldBatchNormPass,
  equalizePass,
  quantizeImplicitPass,
  fuseEpiloguePass,
  fuseNormSkipPass,
  fuseMatmulPass,
  fusePointwisePass,
  fuseGeluPass,
  fuseInt8EpiloguePass,
  int8ResidualPass,
  int8MaxPoolPass,
  fuseNormQuantizePass,
  mergeGemmsPass,
  splitGemmOutputsPass,
  fuseSoftmaxMaskPass,
  fuseAttentionPass,
  concatInPlacePass,
  int8QuantizeOnLoadPass,
  layoutPass,
  precisionPass,
  int8StoragePass,
  int8SpaceToDepthPass,
];

export interface PipelineOptions {
  precision: Precision;
  /** Per-layer precision, keyed by layer name or the name of an IR node fused into a layer. */
  layerPrecision?: Record<string, Precision>;
  /** The target device's capabilities (default BASELINE_CAPS: no shader-f16, so fp16 packs f16x2). */
  caps?: DeviceCaps;
  /** int8 calibration scales by tensor name (implicit quantization). */
  int8?: ReadonlyMap<string, number>;
  /** int8: equalize conv chains first (the calibration was made on the equalized network). */
  equalize?: boolean;
  /** With equalize: measured per-channel ranges of the tensors between convs, by tensor name. */
  channelRanges?: ReadonlyMap<string, Float32Array>;
  /** Receives each change as it happens, prefixed with the pass name. */
  log?: (line: string) => void;
  /** The passes to run (default ENGINE_PIPELINE); tests run one pass or a prefix. */
  stages?: readonly EnginePass[];
}

export interface PassReport {
  pass: string;
  changes: string[];
}

/** Runs the passes on a copy of `net`; returns the rewritten copy and what each pass changed. */
export function runPipeline(net: Network, opts: PipelineOptions): { network: Network; passes: PassReport[] } {
  const network = cloneNetwork(net);
  const passes: PassReport[] = [];
  for (const pass of opts.stages ?? ENGINE_PIPELINE) {
    const changes: string[] = [];
    pass.run(network, {
      precision: opts.precision,
      layerPrecision: opts.layerPrecision ?? {},
      caps: opts.caps ?? BASELINE_CAPS,
      ...(opts.int8 ? { int8: opts.int8 } : {}),
      ...(opts.equalize ? { equalize: true } : {}),
      ...(opts.channelRanges ? { channelRanges: opts.channelRanges } : {}),
      change(line) {
        changes.push(line);
        opts.log?.(`${pass.name}: ${line}`);
      },
    });
    pruneTensors(network);
    passes.push({ pass: pass.name, changes });
  }
  return { network, passes };
}
