// How fast can WebAssembly SIMD go on this machine, how close nnrt's GEMM gets, and which CPU-suite
// targets ("within 3× of onnxruntime-node") are reachable at all. Prints and writes
// bench/results/cpu-ceiling-DATE.md:
//  1. the WebAssembly SIMD arithmetic peak of one thread (bench/cpu-ceiling/peak.as, compiled here
//     with assemblyscript's API: 12 independent f32x4 accumulators, acc += v · w as mul + add, and
//     two other forms; the ceiling is the fastest);
//  2. nnrt's GEMM (the kernels' `gemm` export) on cubes and on shapes the suite's models run, one
//     thread, GFLOP/s and % of that peak; the cubes also through the thread pool at 2 threads;
//     with `--baseline DIR`, the same rows for DIR's kernels (e.g. /work/main), in turns;
//  3. onnxruntime-node's MatMul (one node, B constant) at 1 and 2 intra-op threads;
//  4. per model: multiply-adds of its matrix layers, and the GFLOP/s nnrt would need to be within
//     3× of onnxruntime-node's median (from bench/results/cpu-engine-2026-12-05.MODEL.json), as a
//     % of 2 × the measured one-thread peak (the suite runs 2 threads).
// Every timing is the shortest of N runs (N printed; runs shorter than 2 ms are timed in groups of
// ~2 ms): one-thread runs in process CPU time (a busy machine's other processes left out),
// two-thread runs in wall time. The load average is printed before and after; the tables print at
// the end (their % need the last peak sample).
//
//   npx tsx bench/cpu-ceiling.ts [--baseline DIR] [--quick] [--out FILE]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import asc from 'assemblyscript/asc';
import ort from 'onnxruntime-node';
import { installNodeCpuThreads } from '../src/node/cpu-threads.js';
import { loadOnnxFile } from '../src/node/files.js';
import { createWasmKernels, prepareWasmKernels, wasmKernels, WasmKernels, type KernelExports } from '../src/cpu/wasm-kernels.js';
import { decodeBase64 } from '../src/cpu/kernel-binaries.js';
import { gemm as poolGemm } from '../src/cpu/api-gemm.js';
import { OnnxBuilder } from './cpu-models/onnx-builder.js';
import { modelMacs } from './cpu-ceiling/model-macs.js';

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes('--quick');
const baselineDir = flag('--baseline');
const date = new Date().toISOString().slice(0, 10);
const outFile = flag('--out') ?? `bench/results/cpu-ceiling-${date}.md`;
const RESULTS = 'bench/results/cpu-engine-2026-12-05';
const lines: string[] = [];
const say = (s = '') => {
  console.log(s);
  lines.push(s);
};
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

/**
 * How long one run took, in ms: process CPU time (user + system) for single-threaded work, which
 * leaves out the time a busy machine gave the core to other processes, or wall time.
 */
type Clock = 'cpu' | 'wall';
function clockNow(clock: Clock): number {
  if (clock === 'wall') return performance.now();
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/** Runs of `fn` per sample so that a sample takes about 2 ms (CPU-time accounting is coarse for tiny runs). */
function repsFor(firstMs: number): number {
  return Math.max(1, Math.ceil(2 / Math.max(firstMs, 1e-3)));
}

/** Shortest time in ms of one `fn` over samples of about `budgetMs` (wall) in all, at least `min` samples. */
function best(fn: () => void, budgetMs: number, min = 3, clock: Clock = 'cpu'): { ms: number; runs: number } {
  const w0 = performance.now();
  fn();
  const reps = repsFor(performance.now() - w0);
  let ms = Infinity;
  let runs = 0;
  const start = performance.now();
  while (runs < min * reps || performance.now() - start < budgetMs) {
    const t0 = clockNow(clock);
    for (let r = 0; r < reps; r++) fn();
    ms = Math.min(ms, (clockNow(clock) - t0) / reps);
    runs += reps;
  }
  return { ms, runs };
}
async function bestAsync(fn: () => Promise<unknown>, budgetMs: number, min = 3, clock: Clock = 'cpu'): Promise<{ ms: number; runs: number }> {
  const w0 = performance.now();
  await fn();
  const reps = repsFor(performance.now() - w0);
  let ms = Infinity;
  let runs = 0;
  const start = performance.now();
  while (runs < min * reps || performance.now() - start < budgetMs) {
    const t0 = clockNow(clock);
    for (let r = 0; r < reps; r++) await fn();
    ms = Math.min(ms, (clockNow(clock) - t0) / reps);
    runs += reps;
  }
  return { ms, runs };
}
const gflops = (macs: number, ms: number) => (2 * macs) / ms / 1e6;
const budget = quick ? 300 : 1500;

say(`# CPU ceiling — ${date}`);
say();
say(`Machine: ${os.cpus()[0]?.model ?? 'cpu'}, ${os.availableParallelism()} cores as Node reports them, ${os.arch()}, Node ${process.version}, V8 ${process.versions.v8}.`);
say(`Load average (1, 5, 15 min) at start: ${load()}. Timings: the shortest of N runs (N given): process CPU time for one`);
say('thread (what a busy machine gives other processes is left out), wall clock for two; runs under 2 ms timed in groups.');
say();

// 1. the peak: short runs (~0.5 ms) so that, on a shared machine, some run in N has a core to itself
const peakSource = readFileSync(new URL('./cpu-ceiling/peak.as', import.meta.url), 'utf8');
const compiled = await asc.compileString({ 'peak.ts': peakSource }, { optimizeLevel: 3, runtime: 'stub', noAssert: true, enable: ['simd'], importMemory: true });
if (compiled.error || !compiled.binary) throw new Error(`asc failed: ${compiled.stderr.toString()}`);
const peakMemory = new WebAssembly.Memory({ initial: 1 });
const peakExports = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(compiled.binary)), { env: { memory: peakMemory, abort() {} } }).exports as unknown as {
  peak(steps: number, buf: number, w: number): number;
  outer(steps: number, buf: number): number;
  chained(steps: number, x: number, y: number): number;
};
new Float32Array(peakMemory.buffer, 1024, 96).fill(0.5);
const STEPS = 250_000;
const PEAK_KERNELS: [string, string, number, () => number][] = [
  ['outer', '5×8 outer product per step (10 accumulators), A and B from L1, as a GEMM micro-kernel', 80, () => peakExports.outer(STEPS, 1024)],
  ['peak', '12 accumulators, acc += v · w (mul + add), v from L1', 96, () => peakExports.peak(STEPS, 1024, 0.999)],
  ['chained', '12 chains of acc = acc · x + y (mul and add latency on the chain)', 96, () => peakExports.chained(STEPS, 0.999, 0.001)],
];
/** Best GFLOP/s of every peak kernel seen so far (measured at the start, between tables and at the end). */
const peakBest = new Map<string, { gf: number; runs: number }>();
function measurePeak(budgetMs = budget): void {
  for (const [name, , flops, fn] of PEAK_KERNELS) {
    const t = best(fn, budgetMs, 20);
    const gf = (STEPS * flops) / t.ms / 1e6;
    const seen = peakBest.get(name);
    peakBest.set(name, { gf: Math.max(gf, seen?.gf ?? 0), runs: t.runs + (seen?.runs ?? 0) });
  }
}
const peakNow = () => Math.max(...[...peakBest.values()].map((p) => p.gf));
measurePeak();

// 2. nnrt's GEMM, one thread (and the baseline's kernels, in turns)
async function baselineKernels(dir: string): Promise<WasmKernels> {
  const mod = (await import(join(dir, 'src/cpu/kernels.wasm.ts'))) as { CPU_KERNELS_PRIVATE_BASE64: string };
  const memory = new WebAssembly.Memory({ initial: 64 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(decodeBase64(mod.CPU_KERNELS_PRIVATE_BASE64)), { env: { memory } });
  return new WasmKernels(instance.exports as unknown as KernelExports, memory);
}
const builds: [string, WasmKernels][] = [['nnrt', createWasmKernels()!]];
if (baselineDir) builds.push([`baseline (${baselineDir})`, await baselineKernels(baselineDir)]);

/** [m, n, k, what]: cubes, then shapes the suite's models run (C = A · B, A m×k, B k×n). */
const CUBES = [256, 512, 1024, ...(quick ? [] : [2048])];
const SHAPES: [number, number, number, string][] = [
  ...CUBES.map((s): [number, number, number, string] => [s, s, s, 'cube']),
  [128, 768, 256, 'bert_small QKV projection'],
  [128, 1024, 256, 'bert_small FFN up'],
  [128, 256, 1024, 'bert_small FFN down'],
  [128, 128, 64, 'attention scores (one head)'],
  [128, 64, 128, 'attention · V (one head)'],
  [1, 1024, 256, 'LSTM step (m = 1)'],
  [2, 512, 128, 'LSTM step (2 rows)'],
  [64, 3136, 576, 'resnet50 3×3 conv (stage 1)'],
  [16, 12544, 32, 'mobilenet_v2 1×1 conv, 16 out'],
  [96, 12544, 16, 'mobilenet_v2 1×1 conv, k = 16'],
  [24, 3136, 144, 'mobilenet_v2 1×1 conv, 24 out'],
  [1000, 1, 2048, 'classifier as W · x (n = 1)'],
];

/** Operands of one GEMM shape in a build's memory, and a run of it. */
function gemmCase(w: WasmKernels, m: number, n: number, kk: number): () => void {
  w.reset();
  const a = w.alloc(m * kk), b = w.alloc(kk * n), c = w.alloc(m * n), s = w.alloc(w.k.gemmScratchFloats());
  const f = w.floats();
  for (let i = 0; i < m * kk; i++) f[a / 4 + i] = Math.sin(i);
  for (let i = 0; i < kk * n; i++) f[b / 4 + i] = Math.cos(i);
  return () => w.k.gemm(m, n, kk, a, kk, 1, b, n, 1, c, n, 0, 1, s);
}

// nnrt (and the baseline) in turns: ROUNDS rounds of a short best-of per build, a peak sample between shapes
const ROUNDS = 3;
// warm-up: V8 runs a module's functions on its baseline compiler first and swaps in optimized code later
for (const [, w] of builds) {
  const run = gemmCase(w, 256, 256, 256);
  const start = performance.now();
  while (performance.now() - start < 500) run();
}
const gemmRows: { m: number; n: number; k: number; what: string; gf: number[]; runs: number }[] = [];
for (const [m, n, kk, what] of SHAPES) {
  const macs = m * n * kk;
  const gf = builds.map(() => 0);
  let runs = 0;
  for (let round = 0; round < ROUNDS; round++) {
    builds.forEach(([, w], b) => {
      const t = best(gemmCase(w, m, n, kk), Math.min(budget, Math.max(100, macs / 5e5)) / ROUNDS);
      gf[b] = Math.max(gf[b]!, gflops(macs, t.ms));
      if (b === 0) runs += t.runs;
    });
  }
  gemmRows.push({ m, n, k: kk, what, gf, runs });
  measurePeak(100);
}

// through the thread pool at 2 threads (api-gemm's split over column blocks)
installNodeCpuThreads(2);
await prepareWasmKernels();
const pooled = wasmKernels()!;
const poolRows: { s: number; gf: number; runs: number }[] = [];
if (pooled.threads > 1) {
  for (const s of CUBES) {
    pooled.reset();
    const a = pooled.alloc(s * s), b = pooled.alloc(s * s), c = pooled.alloc(s * s);
    const f = pooled.floats();
    for (let i = 0; i < s * s; i++) { f[a / 4 + i] = Math.sin(i); f[b / 4 + i] = Math.cos(i); }
    const mark = pooled.mark();
    const t = best(() => { pooled.rewind(mark); poolGemm(pooled, s, s, s, a, { at: b }, c); }, budget, 3, 'wall');
    poolRows.push({ s, gf: gflops(s * s * s, t.ms), runs: t.runs });
  }
}

// 3. onnxruntime-node MatMul, B constant
const ortRows: { m: number; n: number; k: number; what: string; gf: number[]; runs: number }[] = [];
for (const [m, n, kk, what] of SHAPES) {
  const g = new OnnxBuilder(1);
  const a = g.input('a', 'float32', [m, kk]);
  const y = g.node('MatMul', [a, g.weight('b', [kk, n], 1)]);
  g.identity(y, 'y');
  g.output('y', 'float32', [m, n]);
  const bytes = g.encode('matmul', 17);
  const feeds = { a: new ort.Tensor('float32', Float32Array.from({ length: m * kk }, (_, i) => Math.sin(i)), [m, kk]) };
  const gf: number[] = [];
  let runs = 0;
  for (const threads of [1, 2]) {
    const s = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    const t = await bestAsync(() => s.run(feeds), Math.min(budget, Math.max(100, (m * n * kk) / 5e5)), 3, threads === 1 ? 'cpu' : 'wall');
    if (threads === 1) runs = t.runs;
    gf.push(gflops(m * n * kk, t.ms));
    await s.release();
  }
  ortRows.push({ m, n, k: kk, what, gf, runs });
}
measurePeak();
const peak = peakNow();

say('## 1. WebAssembly SIMD peak, one thread');
say();
say('Best GFLOP/s of each kernel (bench/cpu-ceiling/peak.as) over runs of 250,000 steps, sampled at the start, between');
say(`the GEMM shapes and at the end. The ceiling used below is the best of them: **${peak.toFixed(1)} GFLOP/s**.`);
say();
say('| kernel | what | GFLOP/s | runs |');
say('| --- | --- | ---: | ---: |');
for (const [name, what] of PEAK_KERNELS) say(`| ${name} | ${what} | ${peakBest.get(name)!.gf.toFixed(1)} | ${peakBest.get(name)!.runs} |`);
say();
say('## 2. nnrt GEMM, one thread');
say();
say('The kernels\' `gemm` export: C = A · B, A and B row-major and unpacked (the packing is timed), C overwritten. Best of N');
say(`runs in ${ROUNDS} rounds${builds.length > 1 ? ', the builds in turns' : ''}; % of the ceiling above.`);
say();
say(`| m | n | k | shape | ${builds.map(([name]) => `${name} GFLOP/s (% of peak)`).join(' | ')} | runs |`);
say(`| ---: | ---: | ---: | --- | ${builds.map(() => '---:').join(' | ')} | ---: |`);
for (const r of gemmRows) say(`| ${r.m} | ${r.n} | ${r.k} | ${r.what} | ${r.gf.map((g) => `${g.toFixed(1)} (${((100 * g) / peak).toFixed(0)}%)`).join(' | ')} | ${r.runs} |`);
say();
if (poolRows.length) {
  say(`Through the thread pool at ${pooled.threads} threads (kernel-api \`gemm\`, split by column blocks; % of ${pooled.threads} × the ceiling):`);
  say();
  say('| cube | GFLOP/s | % of peak | runs |');
  say('| ---: | ---: | ---: | ---: |');
  for (const r of poolRows) say(`| ${r.s} | ${r.gf.toFixed(1)} | ${((100 * r.gf) / (pooled.threads * peak)).toFixed(0)}% | ${r.runs} |`);
  say();
  say('(The pool\'s caller runs the lists no worker has started yet: where the other core is busy, this is one core\'s speed.)');
} else say('(no thread pool here: the 2-thread GEMM rows are left out)');
say();
say('## 3. onnxruntime-node MatMul (one node, B an initializer), intraOpNumThreads 1 and 2');
say();
say('Best of N `session.run` calls (N for 1 thread given); the times include its per-run overhead (feeds in, output out),');
say('which small shapes show. onnxruntime uses AVX-512 FMA here (16 lanes, fused), WebAssembly SIMD cannot.');
say();
say('| m | n | k | shape | 1 thread GFLOP/s | 2 threads GFLOP/s | runs |');
say('| ---: | ---: | ---: | --- | ---: | ---: | ---: |');
for (const r of ortRows) say(`| ${r.m} | ${r.n} | ${r.k} | ${r.what} | ${r.gf.map((g) => g.toFixed(1)).join(' | ')} | ${r.runs} |`);
say();

// 4. what the suite's targets ask for
say('## 4. Which "within 3× of onnxruntime-node" targets are reachable');
say();
say(`Multiply-adds of Conv/ConvTranspose/Gemm/MatMul/LSTM/GRU from nnrt's shape-inferred graph (bench/cpu-ceiling/model-macs.ts);`);
say(`ort-node and engine medians at 2 threads from ${RESULTS}.MODEL.json. "Needed": 2 · MACs / (3 × ort-node ms), the`);
say(`rate nnrt's matrix layers need to be within 3× if nothing else took any time, as a % of 2 threads × the ceiling`);
say(`(2 × ${peak.toFixed(1)} GFLOP/s). Above 100%: out of reach for WebAssembly SIMD on this machine, whatever else is done.`);
say();
say('| model | GMACs (by op) | ort-node ms | engine ms | ort-node GFLOP/s | needed GFLOP/s | % of 2 × peak | engine now GFLOP/s |');
say('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
const modelDirs = ['squeezenet1_1', 'shufflenet_v2_x0_5', 'resnet50', 'mobilenet_v2', 'bert_small', 'ocr_crnn'];
for (const name of modelDirs) {
  const file = [`bench/cpu-models/.cache/${name}/model.onnx`, `../shared/models/${name}/model.onnx`].find(existsSync);
  const json = `${RESULTS}.${name}.json`;
  if (!file || !existsSync(json)) {
    say(`| ${name} | (model or ${json} missing) | | | | | | |`);
    continue;
  }
  const report = JSON.parse(readFileSync(json, 'utf8')) as {
    models: { inputs: { name: string; shape: number[] }[]; rows: { id: string; timing?: { median: number } }[] }[];
  };
  const entry = report.models[0]!;
  const ortMs = entry.rows.find((r) => r.id === 'ort-node')?.timing?.median;
  const engineMs = entry.rows.find((r) => r.id === 'nnrt-cpu-engine')?.timing?.median;
  const { total, byOp } = modelMacs(loadOnnxFile(file).graph, Object.fromEntries(entry.inputs.map((i) => [i.name, i.shape])));
  const ops = Object.entries(byOp).map(([op, v]) => `${op} ${(v / 1e9).toFixed(3)}`).join(', ');
  if (ortMs === undefined) {
    say(`| ${name} | ${(total / 1e9).toFixed(3)} (${ops}) | (no ort-node row) | | | | | |`);
    continue;
  }
  const needed = gflops(total, 3 * ortMs);
  const engine = engineMs === undefined ? '' : gflops(total, engineMs).toFixed(1);
  say(`| ${name} | ${(total / 1e9).toFixed(3)} (${ops}) | ${ortMs.toFixed(1)} | ${engineMs?.toFixed(1) ?? ''} | ${gflops(total, ortMs).toFixed(1)} | ${needed.toFixed(1)} | ${((100 * needed) / (2 * peak)).toFixed(0)}% | ${engine} |`);
}
say();
say(`Load average (1, 5, 15 min) at end: ${load()}.`);
writeFileSync(outFile, lines.join('\n') + '\n');
console.log(`wrote ${outFile}`);
process.exit(0);
