// CPU latency of nnrt's framework next to onnxruntime-node, same models, same inputs, same run.
// Usage: npx tsx bench/cpu.ts [--runs N] [--warmup N] [--json FILE] [MODEL_DIR ...]
// Default models: ../shared/models/*. Prints a table; --json writes the figures.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import ort from 'onnxruntime-node';
import { loadOnnxFile, readTensorPb, readFileChecked } from '../src/node/files.js';
import { createSession } from '../src/runtime/session.js';
import { compareTensors } from '../src/tensor/compare.js';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args.splice(i, 2)[1]) : def;
};
const jsonAt = args.indexOf('--json');
const jsonFile = jsonAt >= 0 ? args.splice(jsonAt, 2)[1] : undefined;
const runs = opt('--runs', 20);
const warmup = opt('--warmup', 3);
const shared = new URL('../../shared/models/', import.meta.url).pathname;
const dirs = args.length ? args : existsSync(shared) ? readdirSync(shared).map((d) => join(shared, d)).filter((d) => existsSync(join(d, 'model.onnx'))) : [];
if (dirs.length === 0) {
  console.error('no models: pass MODEL_DIR folders (model.onnx + test_data_set_0/input_0.pb)');
  process.exit(2);
}

async function time(fn: () => Promise<unknown>): Promise<{ median: number; p90: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { median: t[Math.floor(t.length / 2)]!, p90: t[Math.min(t.length - 1, Math.floor(t.length * 0.9))]! };
}

const rows: Record<string, unknown>[] = [];
for (const dir of dirs) {
  const name = dir.split('/').filter(Boolean).pop()!;
  const input = readTensorPb(join(dir, 'test_data_set_0', 'input_0.pb')).tensor;
  const session = await createSession(loadOnnxFile(join(dir, 'model.onnx')).graph);
  const inName = session.inputs[0]!.name;
  const nnrt = await time(() => session.run({ [inName]: input }));
  const ortFigures: Record<string, { median: number; p90: number }> = {};
  for (const threads of [1, os.availableParallelism()]) {
    const s = await ort.InferenceSession.create(readFileChecked(join(dir, 'model.onnx')), {
      executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
    });
    const feeds = { [s.inputNames[0]!]: new ort.Tensor('float32', input.data as Float32Array, [...input.shape]) };
    ortFigures[`${threads}`] = await time(() => s.run(feeds));
    await s.release();
  }
  const want = readTensorPb(join(dir, 'test_data_set_0', 'output_0.pb')).tensor;
  const got = Object.values(await session.run({ [inName]: input }))[0]!;
  const agree = compareTensors(got, want, { atol: 1e-4, rtol: 1e-3 }).pass;
  rows.push({ model: name, nnrt: nnrt, ort1: ortFigures['1'], ortAll: ortFigures[String(os.availableParallelism())], outputsAgree: agree });
}

const f = (x: { median: number; p90: number }) => `${x.median.toFixed(1).padStart(7)} / ${x.p90.toFixed(1).padStart(7)}`;
console.log(`CPU latency, ms (median / p90 over ${runs} runs after ${warmup} warm-up), ${os.cpus()[0]?.model ?? 'cpu'} × ${os.availableParallelism()}, Node ${process.version}`);
// nnrt's speed in words against onnxruntime on one thread: never a bare ratio below 1, which reads as "slower"
const versus = (nnrt: number, ort: number) => (nnrt >= ort ? `${(nnrt / ort).toFixed(2)}× slower` : `${(ort / nnrt).toFixed(2)}× faster`);
console.log(`${'model'.padEnd(22)} ${'nnrt (1 thread)'.padStart(17)} ${'ort (1 thread)'.padStart(17)} ${`ort (${os.availableParallelism()} threads)`.padStart(17)}  ${'nnrt vs ort 1 thread'.padStart(20)}  agree`);
for (const r of rows as { model: string; nnrt: { median: number; p90: number }; ort1: { median: number; p90: number }; ortAll: { median: number; p90: number }; outputsAgree: boolean }[]) {
  console.log(`${r.model.padEnd(22)} ${f(r.nnrt)} ${f(r.ort1)} ${f(r.ortAll)}  ${versus(r.nnrt.median, r.ort1.median).padStart(20)}  ${r.outputsAgree ? 'yes' : 'NO'}`);
}
if (jsonFile) {
  writeFileSync(jsonFile, JSON.stringify({ date: new Date().toISOString(), cpu: os.cpus()[0]?.model, threads: os.availableParallelism(), node: process.version, runs, warmup, rows }, null, 2));
  console.log(`wrote ${jsonFile}`);
}
