import type { AttrSchema, AttrsOf } from '../../ir/attr.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { InferInput, TensorType } from '../../tensor/tensor-type.js';
import type { DeviceCaps } from './caps.js';
import type { Uniforms } from './shader.js';

/**
 * A storage buffer a program binds: a node input or output, by position, one of the launch's
 * scratch buffers (intermediates between its programs: attention scores, recurrent state), or one
 * of the launch's constants (blocks of a weight too big for one binding).
 */
export type BufferRef = { input: number } | { output: number } | { scratch: number } | { constant: number };

/**
 * One compute dispatch. `source` runs only when `key` is not in the pipeline cache, so the key
 * must name everything the WGSL depends on. Bindings are declared in the WGSL in the order of
 * `bindings` (binding 0, 1, ...), then the uniform block, when any, at the next binding.
 */
export interface Program {
  key: string;
  source: () => string;
  bindings: BufferRef[];
  uniforms?: Uniforms;
  workgroups: [number, number, number];
}

/** What a WebGPU kernel makes of a node with known input and output types. */
export type GpuLaunch =
  /** Output 0 is input `alias` seen with the output's shape (Reshape, Squeeze, Identity...): no copy. */
  | { alias: number }
  /**
   * Dispatches that write every output, in order. `scratch` lists the element counts (4 bytes each)
   * of buffers the programs share and that die with the node; `constants`, host tensors the kernel
   * made from constant inputs (a weight cut into blocks that each fit one binding), uploaded once
   * when the node is scheduled.
   */
  | { programs: Program[]; scratch?: number[]; constants?: Tensor[] };


/**
 * A generic WebGPU kernel: from the node's input types (with values where the op reads them, e.g.
 * Slice's starts), parsed attributes and the output types computed by the op's `infer`, its
 * dispatches — or a string saying why this node must fall back to the CPU kernel.
 */
export type GpuKernel<S extends AttrSchema = AttrSchema> = (
  inputs: readonly (InferInput | undefined)[],
  attrs: AttrsOf<S>,
  outputs: readonly TensorType[],
  caps: DeviceCaps,
) => GpuLaunch | string;
