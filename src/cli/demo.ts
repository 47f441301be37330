import { embeddedCnn, seededUniform } from '../demo/embedded-model.js';
import { NnrtError } from '../errors.js';
import { createSession, type DeviceName, type Session } from '../session.js';
import { compareTensors, FP32_TOLERANCE } from '../tensor/compare.js';
import type { Tensor } from '../tensor/tensor.js';

export interface DemoOptions {
  runs?: number;
  device?: DeviceName | 'auto';
  quiet?: boolean;
}

async function timeRuns(s: Session, feeds: Record<string, Tensor>, runs: number) {
  for (let i = 0; i < Math.min(3, runs); i++) await s.run(feeds);
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await s.run(feeds);
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { median: t[t.length >> 1]!, p90: t[Math.min(t.length - 1, Math.floor(t.length * 0.9))]! };
}

/**
 * `nnrt demo`: runs the embedded default model (a small residual CNN with seeded weights, no
 * download) on the CPU framework and, when a WebGPU adapter is present, on the GPU framework;
 * prints latency, throughput and whether the devices agree.
 */
export async function demo(opts: DemoOptions, out: (s: string) => void): Promise<number> {
  const runs = opts.runs ?? 50;
  const batch = 8;
  const graph = embeddedCnn(batch);
  const params = [...graph.initializers.values()].reduce((a, t) => a + t.size, 0);
  out(`nnrt demo: embedded residual CNN (${graph.nodes.length} nodes, ${params.toLocaleString('en-US')} parameters, seeded weights), batch ${batch} of 3×64×64`);
  const feeds = { image: seededUniform([batch, 3, 64, 64], 42, 1) };
  const devices: DeviceName[] = opts.device && opts.device !== 'auto' ? [opts.device] : ['cpu', 'webgpu'];
  const rows: { device: string; median: number; p90: number; out: Tensor }[] = [];
  for (const device of devices) {
    let s: Session;
    try {
      s = await createSession(graph, { device });
    } catch (e) {
      if (device === 'cpu' || opts.device === device || !(e instanceof NnrtError)) throw e;
      out(`note: ${device} is not available here (${e.message}); showing the CPU only`);
      continue;
    }
    try {
      const y = (await s.run(feeds))[graph.outputs[0]!.name]!;
      const t = await timeRuns(s, feeds, runs);
      rows.push({ device, ...t, out: y });
    } finally {
      s.dispose();
    }
  }
  out('');
  out(`${'framework on'.padEnd(14)}${'median ms'.padStart(11)}${'p90 ms'.padStart(9)}${'images/s'.padStart(10)}  agreement with cpu`);
  for (const r of rows) {
    const agree = r.device === 'cpu' ? '—' : (() => {
      const c = compareTensors(r.out, rows[0]!.out, FP32_TOLERANCE);
      return c.pass ? `yes (max abs ${c.maxAbsError.toExponential(1)})` : `NO (${c.mismatches} mismatches)`;
    })();
    out(`${r.device.padEnd(14)}${r.median.toFixed(2).padStart(11)}${r.p90.toFixed(2).padStart(9)}${((batch * 1000) / r.median).toFixed(0).padStart(10)}  ${agree}`);
  }
  const probs = rows[0]!.out.numeric();
  const top = Array.from(probs.slice(0, 10), (p, k) => ({ k, p })).sort((a, b) => b.p - a.p).slice(0, 3);
  out('');
  out(`image 0, top-3 classes (random weights, so the classes mean nothing): ${top.map((t) => `#${t.k} ${(t.p * 100).toFixed(1)}%`).join(', ')}`);
  return rows.every((r) => r.device === 'cpu' || compareTensors(r.out, rows[0]!.out, FP32_TOLERANCE).pass) ? 0 : 1;
}
