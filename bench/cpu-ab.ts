// A/B of whole CPU-engine runs between checkouts, in turns: each turn runs each root's source in a
// fresh process that builds the model's engine and runs it back to back for a few seconds; prints
// the median and best run per turn, the process CPU time a run, and the load average. On a shared machine the turns show
// how much of a difference is the load.
//
//   NNRT_CPU_THREADS=2 npx tsx bench/cpu-ab.ts MODEL.onnx ROOT_A ROOT_B [--turns N] [--seconds S]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};

if (args[0] === '--child') {
  const [, file, root, seconds] = args as [string, string, string, string];
  const src = (p: string) => import(pathToFileURL(`${root}/src/${p}`).href);
  await src('node/cpu-threads.ts');
  await (await src('cpu/wasm-kernels.ts')).prepareWasmKernels();
  const { importOnnx } = await src('onnx/import/model.ts');
  const { CpuEngine } = await src('engine/cpu/engine.ts');
  const { Tensor } = await src('tensor/tensor.ts');
  const graph = importOnnx(new Uint8Array(readFileSync(file))).graph;
  const input = graph.inputs.find((v: { name: string }) => !graph.initializers.has(v.name))!;
  const shape: number[] = input.shape.map((d: unknown) => (typeof d === 'number' ? d : 1));
  const engine = CpuEngine.build(graph, { [input.name]: shape }, {});
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i * 0.37));
  const feeds = { [input.name]: new Tensor('float32', shape, data) };
  for (let i = 0; i < 3; i++) engine.run(feeds);
  const times: number[] = [];
  const c0 = process.cpuUsage();
  const until = performance.now() + Number(seconds) * 1000;
  while (performance.now() < until) {
    const t0 = performance.now();
    engine.run(feeds);
    times.push(performance.now() - t0);
  }
  const c = process.cpuUsage(c0);
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ median: times[times.length >> 1], best: times[0], runs: times.length, cpu: (c.user + c.system) / 1000 / times.length }));
  process.exit(0);
}

const turns = Number(opt('--turns') ?? 3);
const seconds = opt('--seconds') ?? '3';
const [file, ...roots] = args;
if (!file || roots.length === 0) throw new Error('usage: bench/cpu-ab.ts MODEL.onnx ROOT_A [ROOT_B ...] [--turns N] [--seconds S]');
const self = new URL(import.meta.url).pathname;
const tsx = new URL('../node_modules/.bin/tsx', import.meta.url).pathname;
const medians = new Map<string, number[]>(roots.map((r) => [r, []]));
for (let t = 0; t < turns; t++) {
  for (const root of roots) {
    const load = os.loadavg()[0]!.toFixed(2);
    const out = JSON.parse(execFileSync(tsx, [self, '--child', file, root, seconds], { encoding: 'utf8' }).trim().split('\n').pop()!);
    medians.get(root)!.push(out.median);
    console.log(`turn ${t + 1} ${root}: median ${out.median.toFixed(3)} ms, best ${out.best.toFixed(3)} ms, ${out.cpu.toFixed(3)} ms cpu a run (${out.runs} runs, load ${load})`);
  }
}
for (const [root, ms] of medians) console.log(`${root}: medians ${ms.map((m) => m.toFixed(3)).join(' ')}`);
