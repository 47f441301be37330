// nnrt's CPU kernels, reference vs fast (WebAssembly SIMD), next to onnxruntime-node, on a machine
// that may be busy: the rows take turns run by run (so each sees the same load), and each run's
// process CPU time is recorded beside its wall time (CPU time moves less with other processes'
// load). Threads: NNRT_CPU_THREADS for nnrt's fast kernels, the same count for onnxruntime.
// Usage: NNRT_CPU_THREADS=1 npx tsx bench/cpu-kernels.ts [--runs N] [--json FILE] [MODEL_DIR ...]
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import ort from 'onnxruntime-node';
import { cpuThreadCount } from '../src/node/cpu-threads.js';
import { loadOnnxFile, readTensorPb, readFileChecked } from '../src/node/files.js';
import { createSession } from '../src/runtime/session.js';
import { compareTensors } from '../src/tensor/compare.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const runs = Number(opt('--runs') ?? 30);
const jsonFile = opt('--json');
const threads = cpuThreadCount();
const shared = new URL('../../shared/models/', import.meta.url).pathname;
const dirs = args.length ? args : existsSync(shared) ? readdirSync(shared).map((d) => join(shared, d)).filter((d) => existsSync(join(d, 'model.onnx'))) : [];

interface Row { name: string; run: () => Promise<unknown>; wall: number[]; cpu: number[] }
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const report: Record<string, unknown>[] = [];
console.log(`${os.cpus()[0]?.model ?? 'cpu'} × ${os.availableParallelism()}, Node ${process.version}, ${threads} thread(s), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
for (const dir of dirs) {
  const model = dir.split('/').filter(Boolean).pop()!;
  const input = readTensorPb(join(dir, 'test_data_set_0', 'input_0.pb')).tensor;
  const want = readTensorPb(join(dir, 'test_data_set_0', 'output_0.pb')).tensor;
  const graph = loadOnnxFile(join(dir, 'model.onnx')).graph;
  const rows: Row[] = [];
  for (const cpuKernels of threads === 1 ? (['reference', 'fast'] as const) : (['fast'] as const)) {
    const s = await createSession(graph, { cpuKernels });
    const feeds = { [s.inputs[0]!.name]: input };
    const got = Object.values(await s.run(feeds))[0]!;
    if (!compareTensors(got, want, { atol: 1e-4, rtol: 1e-3 }).pass) throw new Error(`${model}: nnrt ${cpuKernels} disagrees with the reference output`);
    rows.push({ name: `nnrt ${cpuKernels}`, run: () => s.run(feeds), wall: [], cpu: [] });
  }
  const o = await ort.InferenceSession.create(readFileChecked(join(dir, 'model.onnx')), {
    executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
  });
  const ortFeeds = { [o.inputNames[0]!]: new ort.Tensor('float32', input.data as Float32Array, [...input.shape]) };
  rows.push({ name: 'onnxruntime-node', run: () => o.run(ortFeeds), wall: [], cpu: [] });
  for (let i = 0; i < 3; i++) for (const r of rows) await r.run();
  for (let i = 0; i < runs; i++) {
    for (const r of rows) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await r.run();
      r.wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      r.cpu.push((c.user + c.system) / 1000);
    }
  }
  await o.release();
  for (const r of rows) {
    const fig = { model, runner: r.name, threads, medianMs: median(r.wall), minMs: Math.min(...r.wall), cpuMedianMs: median(r.cpu) };
    report.push(fig);
    console.log(`${model.padEnd(20)} ${r.name.padEnd(18)} ${threads}t  median ${fig.medianMs.toFixed(2).padStart(8)} ms  min ${fig.minMs.toFixed(2).padStart(8)} ms  cpu ${fig.cpuMedianMs.toFixed(2).padStart(8)} ms`);
  }
}
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ date: new Date().toISOString(), cpu: os.cpus()[0]?.model, cores: os.availableParallelism(), node: process.version, runs, report }, null, 2));
