// The CPU engine's fixed costs: an empty fork-join on the kernels' thread pool (back to back, and
// after the workers have gone to sleep), the process's CPU time while the runtime is idle, and per
// model how many layers fork and how often one run forks. --root DIR runs another checkout's
// source (e.g. /work/main) with the same script, for A/B in turns on a busy machine.
//
//   NNRT_CPU_THREADS=2 npx tsx bench/cpu-fork-join.ts [MODEL.onnx ...] [--reps N] [--root DIR]
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const reps = Number(opt('--reps') ?? 2000);
const root = resolve(opt('--root') ?? new URL('..', import.meta.url).pathname);
const src = (p: string) => import(pathToFileURL(`${root}/src/${p}`).href);
const { cpuThreadCount } = await src('node/cpu-threads.ts');
const { prepareWasmKernels, wasmKernels } = await src('cpu/wasm-kernels.ts');
await prepareWasmKernels();
const wasm = wasmKernels();
const threads: number = wasm.threads;
const buf = wasm.alloc(16);
const noop = ['activation', [buf, buf, 0, 0, 0, 0]];
const job = Array.from({ length: threads }, () => [noop]);
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;

/** Min over 5 rounds of the mean µs (wall, process CPU) of `fn`, `n` calls a round, `gapMs` idle before each. */
function time(fn: () => void, n: number, gapMs = 0): { wall: number; cpu: number } {
  let wall = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < 5; r++) {
    let w = 0;
    const c0 = process.cpuUsage();
    let idleCpu = 0;
    for (let i = 0; i < n; i++) {
      if (gapMs) {
        const g0 = process.cpuUsage();
        sleep(gapMs);
        idleCpu += cpuMs(process.cpuUsage(g0));
      }
      const t0 = performance.now();
      fn();
      w += performance.now() - t0;
    }
    wall = Math.min(wall, (w / n) * 1000);
    cpu = Math.min(cpu, ((cpuMs(process.cpuUsage(c0)) - idleCpu) / n) * 1000);
  }
  return { wall, cpu };
}

const load0 = os.loadavg()[0]!.toFixed(2);
const fmt = (t: { wall: number; cpu: number }) => `${t.wall.toFixed(2)} µs wall, ${t.cpu.toFixed(2)} µs cpu`;
console.log(`${cpuThreadCount()} thread(s), root ${root}, load ${load0}`);
console.log(`one thread, the same call:         ${fmt(time(() => wasm.run([[noop]]), reps))}`);
if (threads > 1) {
  console.log(`empty fork-join, back to back:     ${fmt(time(() => wasm.run(job), reps))}`);
  console.log(`empty fork-join, 0.2 ms idle gap:  ${fmt(time(() => wasm.run(job), 200, 0.2))}`);
  console.log(`empty fork-join, 5 ms idle gap:    ${fmt(time(() => wasm.run(job), 40, 5))}`);
  // lists of real work: what a fork adds to one list's time (the caller waits for the slowest list)
  const bufs = Array.from({ length: threads }, () => wasm.alloc(4096));
  const list = (t: number, calls: number) => Array.from({ length: calls }, () => ['activation', [bufs[t], bufs[t], 4096, 7, 0, 0]]);
  const one = time(() => wasm.run([list(0, 1)]), reps).wall;
  for (const us of [10, 30, 100]) {
    const calls = Math.min(28, Math.max(1, Math.round(us / one)));
    const alone = time(() => wasm.run([list(0, calls)]), 200).wall;
    const forkJob = Array.from({ length: threads }, (_, t) => list(t, calls));
    const b2b = time(() => wasm.run(forkJob), 200).wall;
    const gap = time(() => wasm.run(forkJob), 200, 0.05).wall;
    console.log(`${threads} lists of ${alone.toFixed(1)} µs: fork-join back to back +${(b2b - alone).toFixed(1)} µs, after 50 µs idle +${(gap - alone).toFixed(1)} µs`);
  }
  // the idle cost: process CPU over 1 s with nothing to run, after a burst of forks
  for (let i = 0; i < 1000; i++) wasm.run(job);
  const c0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, 1000));
  console.log(`idle after a burst: ${cpuMs(process.cpuUsage(c0)).toFixed(1)} ms cpu over 1000 ms`);
}

if (args.length) {
  const { importOnnx } = await src('onnx/import/model.ts');
  const { CpuEngine } = await src('engine/cpu/engine.ts');
  const { Tensor } = await src('tensor/tensor.ts');
  for (const file of args) {
    const graph = importOnnx(new Uint8Array(readFileSync(file))).graph;
    const input = graph.inputs.find((v: { name: string }) => !graph.initializers.has(v.name))!;
    const shape: number[] = input.shape.map((d: unknown) => (typeof d === 'number' ? d : 1));
    const engine = CpuEngine.build(graph, { [input.name]: shape }, {});
    const feeds = { [input.name]: new Tensor('float32', shape, new Float32Array(shape.reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i * 0.37))) };
    engine.run(feeds);
    // count the pool jobs (more than one list) one run makes, and the layers that make any
    let forks = 0;
    const run = wasm.run.bind(wasm);
    wasm.run = (perThread: unknown[][]) => {
      if (perThread.length > 1) forks++;
      run(perThread);
    };
    engine.run(feeds);
    const perRun = forks;
    const entries = (engine.layerRuns() as unknown[]).map((r) => (typeof r === 'function' ? { run: r } : r)) as { run: () => void; view?: boolean }[];
    let forking = 0;
    for (const l of entries) {
      const f0 = forks;
      l.run();
      if (forks > f0) forking++;
    }
    delete (wasm as { run?: unknown }).run; // the prototype method again
    const runs = entries.filter((l) => !l.view).map((l) => l.run);
    const whole = time(() => engine.run(feeds), 20);
    const sum = time(() => {
      for (const r of runs) r();
    }, 20);
    // the JS a run does besides the kernels and the pool: every kernel export that computes (not a
    // size) stubbed out, every job's lists called here
    const k = wasm.k;
    const stub = Object.fromEntries(Object.entries(k).map(([n, f]) => [n, /Floats$/.test(n) ? f : () => {}])) as Record<string, (...a: number[]) => void>;
    wasm.k = stub;
    wasm.run = (perThread: [string, number[]][][]) => {
      for (const calls of perThread) for (const [n, a] of calls) stub[n]!(...a);
    };
    const js = time(() => engine.run(feeds), 50);
    wasm.k = k;
    delete (wasm as { run?: unknown }).run; // the prototype method again
    console.log(`${file}: JS besides the kernels ${(js.wall / 1000).toFixed(3)} ms a run (${(js.wall / runs.length).toFixed(2)} µs a layer)`);
    console.log(`${file}: ${entries.length} layers (${runs.length} run something), ${forking} fork; ${perRun} fork-joins a run; ` +
      `run ${(whole.wall / 1000).toFixed(3)} ms wall ${(whole.cpu / 1000).toFixed(3)} cpu, layers back to back ${(sum.wall / 1000).toFixed(3)} ms wall`);
    engine.dispose();
  }
}
const pool = (wasm as { pool?: { backoffs?: number } }).pool;
if (pool?.backoffs !== undefined) console.log(`the pool stopped spinning (a sign of a machine short of cores) ${pool.backoffs} times`);
console.log(`load ${load0} → ${os.loadavg()[0]!.toFixed(2)}`);
process.exit(0);
