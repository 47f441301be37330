// Per-layer times of a CPU engine (`nnrt bench --layer-times` on an engine cpu row): every layer's
// run function timed by wall clock, in run order over the arena as an inference runs them, `reps`
// rounds after one untimed round; each round also times the whole list of runs back to back, so
// the sum of the layers can be set beside it (the per-layer sum carries a clock read per layer).
// Layers that run nothing (views, in-place concats) are left out, as the WebGPU profile leaves out
// layers without dispatches. The arena holds what the last inference left: the work is the same.
import type { EngineLayerProfile, LayerTime } from '../layer-profile.js';
import type { CpuEngine } from './engine.js';

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export const CPU_LAYER_METHOD = 'cpu wall clock (each layer timed in run order)';

/** Times every layer of `engine` `reps` times (after one untimed round); medians, slowest first. */
export function profileCpuLayers(engine: CpuEngine, reps = 10): EngineLayerProfile {
  const all = engine.layerRuns();
  const timed = all.filter((l) => !l.view);
  const samples = timed.map(() => [] as number[]);
  const engineSamples: number[] = [];
  for (let r = -1; r < reps; r++) {
    const t0 = now();
    for (const l of all) l.run();
    const whole = now() - t0;
    timed.forEach((l, k) => {
      const t = now();
      l.run();
      samples[k]!.push(now() - t);
    });
    if (r >= 0) engineSamples.push(whole);
  }
  const times = timed.map((l, k) => ({ l, ms: median(samples[k]!) }));
  const layerSumMs = times.reduce((a, t) => a + t.ms, 0);
  const layers = times.map(({ l, ms }): LayerTime => ({
    name: l.layer.name, kind: l.layer.kind, tactic: l.layer.tactic, from: [...l.layer.from], ms, share: layerSumMs > 0 ? ms / layerSumMs : 0,
  })).sort((a, b) => b.ms - a.ms);
  return { method: CPU_LAYER_METHOD, layers, layerSumMs, engineMs: median(engineSamples), reps };
}
