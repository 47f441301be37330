// Where a model's time goes in the CPU engine, for A/B work on executors: one process builds an
// engine cpu session, times whole runs (min and median wall clock, and process CPU time per run:
// every thread's), prints the load average, the per-layer table (session.layerTimes) and the
// time per layer kind; with --ort also onnxruntime-node at the same thread count, after nnrt.
// --src DIR imports nnrt from another checkout (e.g. /work/main) for A/B against it.
//
//   NNRT_CPU_THREADS=1 npx tsx bench/cpu-layers.ts MODEL.onnx [--runs N] [--top K] [--ort] [--src DIR]
import { readdirSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ort from 'onnxruntime-node';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : fallback;
};
const model = resolve(argv[0] && !argv[0].startsWith('--') ? argv[0] : 'bench/cpu-models/.cache/bert_small/model.onnx');
const runs = Number(flag('--runs', '20'));
const top = Number(flag('--top', '12'));
const src = resolve(flag('--src', '.'));
const withOrt = argv.includes('--ort');
const imp = (p: string) => import(pathToFileURL(join(src, p)).href);

await imp('src/node/cpu-threads.ts');
await imp('src/ops/index.ts');
const { loadOnnxFile, readTensorPb } = await imp('src/node/files.ts');
const { createSession } = await imp('src/runtime/session.ts');
const { compareTensors, FP32_TOLERANCE } = await imp('src/tensor/compare.ts');

const dir = join(model, '..', 'test_data_set_0');
const { graph } = loadOnnxFile(model);
const names = graph.inputs.filter((v: { name: string }) => !graph.initializers.has(v.name)).map((v: { name: string }) => v.name);
const pbs = (prefix: string) => readdirSync(dir).filter((f) => f.startsWith(prefix)).sort().map((f) => readTensorPb(join(dir, f)).tensor);
const inputs = Object.fromEntries(pbs('input_').map((t, i) => [names[i], t]));
const want = pbs('output_');
const threads = Number(process.env.NNRT_CPU_THREADS ?? os.availableParallelism());

const session = await createSession(graph, { engine: 'cpu' });
const got = await session.run(inputs);
const c = compareTensors(Object.values(got)[0], want[0], FP32_TOLERANCE);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const stats = (xs: number[]) => ({ min: sorted(xs)[0]!, med: sorted(xs)[xs.length >> 1]! });
const ortSession = withOrt
  ? await ort.InferenceSession.create(model, { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' })
  : undefined;
const ortFeeds = Object.fromEntries(Object.entries(inputs).map(([k, t]: [string, any]) => [k, new ort.Tensor(t.dtype, t.data, [...t.shape])]));
for (let w = 0; w < 3; w++) await session.run(inputs);
const nn: number[] = [];
const ortT: number[] = [];
let cpu = 0;
// nnrt's runs first, then onnxruntime's: its intra-op threads spin a while after each run, which
// would take a core from nnrt's workers (and count in this process's CPU time) if they took turns
for (let r = 0; r < runs; r++) {
  const u0 = process.cpuUsage();
  const t0 = performance.now();
  await session.run(inputs);
  nn.push(performance.now() - t0);
  const u = process.cpuUsage(u0);
  cpu += (u.user + u.system) / 1000;
}
for (let w = 0; ortSession && w < 3; w++) await ortSession.run(ortFeeds);
for (let r = 0; ortSession && r < runs; r++) {
  const t1 = performance.now();
  await ortSession.run(ortFeeds);
  ortT.push(performance.now() - t1);
}
const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
const s = stats(nn);
console.log(`${model.split('/').slice(-2, -1)[0]} src=${src} threads=${threads} load ${load} | agrees ${c.pass} (max abs ${c.maxAbsError.toExponential(2)})`);
console.log(`nnrt engine cpu: min ${s.min.toFixed(2)} ms, median ${s.med.toFixed(2)} ms, cpu ${(cpu / runs).toFixed(2)} ms/run over ${runs} runs`);
if (ortSession) {
  const o = stats(ortT);
  console.log(`ort-node:        min ${o.min.toFixed(2)} ms, median ${o.med.toFixed(2)} ms  (nnrt/ort min ${(s.min / o.min).toFixed(2)}×)`);
}
const [p] = session.layerTimes ? await session.layerTimes(10) : [];
if (p) {
  const kinds = new Map<string, number>();
  for (const l of p.layers) kinds.set(`${l.kind}/${l.tactic}`, (kinds.get(`${l.kind}/${l.tactic}`) ?? 0) + l.ms);
  console.log(`layers: sum ${p.layerSumMs.toFixed(2)} ms, whole ${p.engineMs.toFixed(2)} ms; by kind: ${[...kinds].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
  for (const l of p.layers.slice(0, top)) console.log(`  ${l.ms.toFixed(3).padStart(7)} ${(l.share * 100).toFixed(1).padStart(5)}%  ${l.kind.padEnd(10)} ${l.tactic.padEnd(18)} ${l.name}  (${l.from.length} nodes)`);
}
session.dispose();
await ortSession?.release();
process.exit(0);
