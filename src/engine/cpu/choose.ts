// Choosing each layer's CPU executor at build time, as the GPU builder chooses tactics: one
// candidate is taken as is; several are each prepared in a scratch memory and timed on the CPU
// (best of a few runs, taken in turns), and the choice is kept in the timing cache under a key that
// names the backend. A candidate that fails to prepare is skipped with a log line.
import type { CheckedConfig } from '../config.js';
import type { Layer, Network } from '../network.js';
import { layerOutputs, tensorInputs } from '../passes/net-utils.js';
import { layerSignature, withoutValues } from '../timing-cache.js';
import { cpuFastTactics } from './index.js';
import { loweredTactic } from './lowered.js';
import { EngineMemory } from './memory.js';
import type { CpuMemoryLayout } from './memory-layout.js';
import type { CpuEnv, CpuTactic } from './tactic.js';

export interface CpuChoice {
  layer: Layer;
  tactic: CpuTactic;
  timeMs?: number;
}

/** Timed runs of each candidate, in turns (a burst of another process's load then hits all alike). */
const RUNS = 3;
/** More rounds while the best two are within CLOSE of each other (a close call is where noise picks). */
const CLOSE = 1.1;
const MORE_RUNS = 4;
const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** What a layer's executors depend on, without weight values: the timing-cache key. */
function signature(layer: Layer, net: Network, wasm: boolean, names: string[]): string {
  const { name: _n, from: _f, ...rest } = layer as unknown as Record<string, unknown>;
  const attrs = withoutValues(rest);
  const io = [...tensorInputs(layer), ...layerOutputs(layer)].map((t) => net.tensors.get(t)!.shape);
  return layerSignature({ backend: wasm ? 'cpu-wasm' : 'cpu-js', attrs, io, tactics: names });
}

/**
 * Bytes read between timed runs to push the last run's weights out of the caches (more than the
 * L3 of one CPU complex: 32 MiB on the project's EPYC). In a model's run a layer's weights come
 * from memory, its input from cache (the layer before just wrote it); timed back to back, the
 * weights stay cached too, and executors that read more weight bytes (Winograd's transformed
 * weights are 16/9 to 4× the conv's) look faster than they are in the run.
 */
const EVICT_BYTES = 48 << 20;

/** A throwaway memory with the network's arena, for timing candidates. */
class TimingMemory {
  private env?: CpuEnv;
  private evictBuffer?: Int32Array;
  private sink = 0;
  constructor(private readonly net: Network, private readonly layout: CpuMemoryLayout, private readonly wasm: boolean) {}
  release(): void {
    this.env?.mem.release();
    this.evictBuffer = undefined;
  }
  /** Reads EVICT_BYTES of other memory, then the layer's inputs: the caches as a run finds them. */
  coldWeights(layer: Layer): void {
    this.evictBuffer ??= new Int32Array(EVICT_BYTES / 4).fill(1);
    const e = this.evictBuffer;
    let sum = 0;
    for (let i = 0; i < e.length; i += 16) sum += e[i]!; // one read a cache line
    const f = this.env?.mem.f32();
    if (f) {
      for (const t of tensorInputs(layer)) {
        const at = this.layout.offsets.get(t);
        const shape = this.net.tensors.get(t)?.shape;
        if (at === undefined || !shape) continue;
        const end = at / 4 + shape.reduce((a, b) => a * b, 1);
        for (let i = at / 4; i < end; i += 16) sum += f[i]!;
      }
    }
    this.sink += sum;
  }
  get(scratchBytes: number): CpuEnv {
    if (!this.env) {
      const mem = EngineMemory.create(this.wasm);
      const arena = mem.alloc(this.layout.arenaBytes);
      this.env = { mem, net: this.net, at: (t) => arena + this.layout.offsets.get(t)!, scratch: 0 };
    }
    // each candidate gets fresh scratch (timing memory is thrown away after the build)
    return { ...this.env, scratch: this.env.mem.alloc(scratchBytes) };
  }
}

export function chooseCpuTactics(net: Network, layout: CpuMemoryLayout, wasm: boolean, cfg: CheckedConfig): CpuChoice[] {
  const timing = new TimingMemory(net, layout, wasm);
  try {
    return chooseAll(net, wasm, cfg, timing);
  } finally {
    timing.release();
  }
}

function chooseAll(net: Network, wasm: boolean, cfg: CheckedConfig, timing: TimingMemory): CpuChoice[] {
  let timed = 0;
  let cached = 0;
  const chosen = net.layers.map((layer, i): CpuChoice => {
    cfg.progress({ phase: 'tactics', done: i, total: net.layers.length, layer: layer.name });
    const fits = cpuFastTactics(layer, net, wasm);
    const from = layer.from.length > 1 ? ` ← ${layer.from.join(' + ')}` : '';
    if (fits.length === 0) {
      cfg.log(`layer ${layer.name} (${layer.kind}${from}): lowered (no fast CPU executor applies; the framework's kernels run its ONNX lowering)`);
      return { layer, tactic: loweredTactic(layer) };
    }
    if (fits.length === 1 || !cfg.timeTactics) {
      cfg.log(`layer ${layer.name} (${layer.kind}${from}): ${fits[0]!.name}${fits.length > 1 ? ' (timing off)' : ''}`);
      return { layer, tactic: fits[0]! };
    }
    const sig = signature(layer, net, wasm, fits.map((t) => t.name));
    const hit = cfg.timingCache?.get(sig);
    const hitTactic = hit && fits.find((t) => t.name === hit.tactic);
    if (hit && hitTactic) {
      cached++;
      cfg.log(`layer ${layer.name} (${layer.kind}${from}): ${hitTactic.name} ${hit.ms.toFixed(4)} ms (timing cache)`);
      return { layer, tactic: hitTactic, timeMs: hit.ms };
    }
    const times = timeInTurns(layer, fits, timing, cfg);
    timed++;
    let best = 0;
    times.forEach((t, k) => { if (t < times[best]!) best = k; });
    if (times[best] === Infinity) {
      cfg.log(`layer ${layer.name} (${layer.kind}${from}): lowered (every fast executor failed)`);
      return { layer, tactic: loweredTactic(layer) };
    }
    cfg.timingCache?.set(sig, fits[best]!.name, times[best]!);
    cfg.log(`layer ${layer.name} (${layer.kind}${from}): ${fits[best]!.name} ${times[best]!.toFixed(4)} ms [${fits.map((t, k) => `${t.name} ${times[k]!.toFixed(4)}`).join(', ')}]`);
    return { layer, tactic: fits[best]!, timeMs: times[best] };
  });
  cfg.progress({ phase: 'tactics', done: net.layers.length, total: net.layers.length });
  cfg.log(`cpu tactics: ${timed} layers timed, ${cached} from the timing cache, ${chosen.filter((c) => c.tactic.name === 'lowered').length} lowered`);
  return chosen;
}

/** Best wall time of each candidate (Infinity: it failed to prepare), rounds taken in turns. */
function timeInTurns(layer: Layer, fits: CpuTactic[], timing: TimingMemory, cfg: CheckedConfig): number[] {
  const runs = fits.map((t) => {
    try {
      const run = t.prepare(timing.get(t.scratchBytes));
      run(); // warm: first-touch pages, caches
      return run;
    } catch (e) {
      cfg.log(`layer ${layer.name}: executor ${t.name} failed to prepare (${(e as Error).message}); skipped`);
      return undefined;
    }
  });
  const times = fits.map(() => Infinity);
  const round = () => runs.forEach((run, k) => {
    if (!run) return;
    timing.coldWeights(layer);
    const t0 = now();
    run();
    times[k] = Math.min(times[k]!, now() - t0);
  });
  for (let r = 0; r < RUNS; r++) round();
  const [a, b] = [...times].sort((x, y) => x - y);
  if (b! < Infinity && b! < a! * CLOSE) for (let r = 0; r < MORE_RUNS; r++) round();
  return times;
}
