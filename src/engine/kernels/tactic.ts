// What a layer compiles to: one or more tactics (TensorRT's word), each a list of compute
// programs with shapes baked into the WGSL, plus the constant data it needs in its own layout.
// The builder times the tactics of a layer on the device and keeps the fastest.
import type { DeviceCaps } from '../../devices/webgpu/caps.js';
import type { Layer, NetTensor } from '../network.js';

/** A storage buffer a program binds, in WGSL binding order (group 0, binding 0, 1, ...). */
export type EngineBinding =
  /** A network tensor: its region of the arena (or of an input/output buffer). */
  | { tensor: string }
  /** Entry `index` of the tactic's `constants`, uploaded once into the weights buffer. */
  | { constant: number }
  /** Entry `index` of the tactic's `scratch`: arena bytes live only while this layer runs. */
  | { scratch: number };

export interface EngineProgram {
  /**
   * Complete WGSL with entry point `main`. Tensor and scratch bindings must be declared
   * `var<storage, read_write>` (they share one arena buffer, and WebGPU forbids read-only and
   * writable uses of one buffer in a dispatch); constants are declared `var<storage, read>`.
   */
  wgsl: string;
  bindings: EngineBinding[];
  workgroups: [number, number, number];
}

export interface Tactic {
  /** Stable name, recorded in timing caches and logs: 'gemm-64x64x16', 'conv-depthwise', ... */
  name: string;
  programs: EngineProgram[];
  /** Constant data already in the storage the programs read (f32 words, or f16 pairs in u32s). */
  constants: Uint8Array[];
  /** Byte sizes of scratch regions. */
  scratch: number[];
}

/**
 * A tactic whose constants are made on first read (by the tactic timer, or by assembly for the
 * chosen one): a transformer's candidates each re-lay its weights, and packing them all up front
 * cost most of a ViT-B build, though most candidates of most layers are never run.
 */
export function withLazyConstants(t: Omit<Tactic, 'constants'>, make: () => Uint8Array[]): Tactic {
  let made: Uint8Array[] | undefined;
  return Object.defineProperty(t, 'constants', { get: () => (made ??= make()), enumerable: true }) as Tactic;
}

/** Where a layer's output really lives when a later in-place Concat owns its memory. */
export interface OutputPlacement {
  /** The tensor whose memory is written (the concat output). */
  target: string;
  /** Offset of this output's first channel within the target's channel axis. */
  channelOffset: number;
}

export interface KernelContext {
  caps: DeviceCaps;
  /** All network tensors with their chosen formats. */
  tensors: ReadonlyMap<string, NetTensor>;
  /** Outputs written in place into a concat's output (see ConcatLayer.inPlace). */
  placement: ReadonlyMap<string, OutputPlacement>;
}

/** The tactics for a layer (at least one), or the reason the engine cannot run it. */
export type LayerCompiler<L extends Layer = Layer> = (layer: L, ctx: KernelContext) => Tactic[] | string;
