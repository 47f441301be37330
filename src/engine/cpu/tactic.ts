// What a CPU "tactic" is: one way to run a layer on the CPU engine's memory (memory.ts). A layer
// kind's CPU compiler (./index.ts) lists the executors that apply to a layer; the builder times
// them when there are several and records the choice. `prepare` runs once at load (weights are
// packed into the engine's memory there); the function it returns runs the layer, reading and
// writing the arena at fixed byte addresses and allocating nothing.
import type { Layer, Network } from '../network.js';
import type { EngineMemory } from './memory.js';

/** What an executor sees at load: the memory, where each tensor lives, the shared scratch. */
export interface CpuEnv {
  mem: EngineMemory;
  net: Network;
  /** Byte address of a network tensor (views and in-place concat inputs resolved). */
  at(tensor: string): number;
  /** Byte address of the scratch region every layer may use while it runs. */
  scratch: number;
}

/** Runs the layer once. */
export type CpuRun = () => void;

export interface CpuTactic {
  name: string;
  /** Bytes of scratch the layer needs while it runs. */
  scratchBytes: number;
  /** At load: packs what the layer needs into memory and returns its run function. */
  prepare(env: CpuEnv): CpuRun;
  /** Set for executors that write nothing (their output is a view of the input). */
  view?: boolean;
}

/** A layer's fast CPU executors (none: it runs lowered, through the framework's kernels). */
export type CpuCompiler<L extends Layer = Layer> = (layer: L, net: Network, wasm: boolean) => CpuTactic[];

export const LOWERED = 'lowered';
