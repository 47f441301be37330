// What every engine layer kind provides, in one place per kind (`src/engine/layers/<kind>.ts`):
// the ONNX ops it is imported from (support rule + translator), the tensors it reads, how it is
// copied and rewired by the passes, its lowering back to ONNX semantics and its kernel candidates.
// `LAYER_KINDS` in ./index.ts is a mapped type over `LayerKind`, so the compiler names every
// place a new kind forgot.
import type { SupportPredicate } from '../../partition/predicate.js';
import type { Layer, Network } from '../network.js';
import type { LayerCompiler } from '../kernels/tactic.js';
import type { Emitter } from './emitter.js';
import type { Translator } from './node-view.js';

/** How one ONNX op becomes engine layers: the partitioner's rule and the importer's translator. */
export interface OpImporter {
  /** `true` or why the engine declines the node (the partition report shows it verbatim). */
  support: SupportPredicate;
  translate: Translator;
}

export interface LayerKindDef<L extends Layer> {
  /** Tensors the layer reads, in binding order (constant operands `const:i` included). */
  inputs(l: L): string[];
  /** Rewrites every read: `swap(name)` gives the new name (or the same). Mutates `l`. */
  renameInputs(l: L, swap: (name: string) => string): void;
  /** A copy whose arrays and objects may be edited (weight arrays shared: never mutate them). */
  clone(l: L): L;
  /** Emits the layer as ONNX nodes (see lower.ts), so any stage can be checked on the CPU. */
  lower(e: Emitter, l: L): void;
  /** Its kernel candidates (tactics), or the reason it cannot run. */
  compile: LayerCompiler<L>;
  /**
   * Tensors the layer writes besides `output` (a norm's residual sum). Absent: none. Passes and the
   * memory plan see them through net-utils `layerOutputs`.
   */
  extraOutputs?: (l: L) => string[];
  /**
   * The layer's kernels read and write row-major data only (rank-4 tensors it touches stay NCHW,
   * never NHWC). Kernels written with the layout-aware accessors of kernels/access.ts leave it unset.
   * A function decides per layer.
   */
  rowMajor?: boolean | ((l: L, net: Network) => boolean);
}
