// One conv's speed in isolation: the conv kernels (conv2d, and Winograd where it applies) on the
// shapes SqueezeNet 1.1 and ResNet-50 run, one thread, bias + ReLU fused (+ a residual where the
// model has one), shortest of N runs in process CPU time (with --threads 2: on the pool, wall time),
// GFLOP/s counted as direct multiply-adds.
// --root DIR runs another checkout's kernels (e.g. /work/main) with the same script, for A/B in turns.
//
//   npx tsx bench/cpu-conv-shapes.ts [--root DIR] [--only SUBSTRING] [--runs N] [--no-epilogue] [--threads N]
import os from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const root = resolve(flag('--root') ?? new URL('..', import.meta.url).pathname);
const only = flag('--only');
const runs = Number(flag('--runs') ?? 15);
const noEpilogue = argv.includes('--no-epilogue');
const src = (p: string) => import(pathToFileURL(`${root}/src/${p}`).href);
const api = await src('cpu/kernel-api.ts');
const wino = await src('cpu/winograd.ts');
const threads = Number(flag('--threads') ?? 1);
let wasm = api.createWasmKernels();
if (threads > 1) {
  (await src('node/cpu-threads.ts')).installNodeCpuThreads(threads);
  await api.prepareWasmKernels();
  wasm = api.wasmKernels();
}

/** name: [c, m, ih(=iw), k, stride, pad, residual] */
const SHAPES: Record<string, [number, number, number, number, number, number, boolean]> = {
  'sq features.0 3→64 3x3 s2 224': [3, 64, 224, 3, 2, 0, false],
  'sq squeeze 64→16 1x1 55': [64, 16, 55, 1, 1, 0, false],
  'sq squeeze 128→16 1x1 55': [128, 16, 55, 1, 1, 0, false],
  'sq expand1x1 16→64 55': [16, 64, 55, 1, 1, 0, false],
  'sq expand3x3 16→64 55': [16, 64, 55, 3, 1, 1, false],
  'sq expand1x1 32→128 27': [32, 128, 27, 1, 1, 0, false],
  'sq expand3x3 32→128 27': [32, 128, 27, 3, 1, 1, false],
  'sq squeeze 256→32 1x1 27': [256, 32, 27, 1, 1, 0, false],
  'sq squeeze 512→64 1x1 13': [512, 64, 13, 1, 1, 0, false],
  'sq expand3x3 64→256 13': [64, 256, 13, 3, 1, 1, false],
  'sq classifier 512→1000 13': [512, 1000, 13, 1, 1, 0, false],
  'rn stem 3→64 7x7 s2 224': [3, 64, 224, 7, 2, 3, false],
  'rn 64→256 1x1 56 +res': [64, 256, 56, 1, 1, 0, true],
  'rn 256→64 1x1 56': [256, 64, 56, 1, 1, 0, false],
  'rn 64→64 3x3 56': [64, 64, 56, 3, 1, 1, false],
  'rn 256→128 1x1 s2 56': [256, 128, 56, 1, 2, 0, false],
  'rn 256→512 1x1 s2 56 (ds)': [256, 512, 56, 1, 2, 0, false],
  'rn 128→512 1x1 28 +res': [128, 512, 28, 1, 1, 0, true],
  'rn 512→128 1x1 28': [512, 128, 28, 1, 1, 0, false],
  'rn 128→128 3x3 28': [128, 128, 28, 3, 1, 1, false],
  'rn 512→1024 1x1 s2 28 (ds)': [512, 1024, 28, 1, 2, 0, false],
  'rn 256→256 3x3 14': [256, 256, 14, 3, 1, 1, false],
  'rn 1024→256 1x1 14': [1024, 256, 14, 1, 1, 0, false],
  'rn 1024→2048 1x1 s2 14 (ds)': [1024, 2048, 14, 1, 2, 0, false],
  'rn 512→512 3x3 7': [512, 512, 7, 3, 1, 1, false],
  'rn 512→2048 1x1 7 +res': [512, 2048, 7, 1, 1, 0, true],
};

function cpuMs(): number {
  if (threads > 1) return performance.now();
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/** Shortest per-call CPU ms of `fn` over `runs` samples of about 2 ms each. */
function time(fn: () => void): number {
  fn();
  const t0 = cpuMs();
  fn();
  const once = Math.max(cpuMs() - t0, 0.01);
  const reps = Math.max(1, Math.round(2 / once));
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const a = cpuMs();
    for (let i = 0; i < reps; i++) fn();
    best = Math.min(best, (cpuMs() - a) / reps);
  }
  return best;
}

const rnd = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed) * 0.5);
console.log(`root ${root}, ${threads} thread(s), load ${os.loadavg()[0]!.toFixed(2)}`);
for (const [name, [c, m, ih, k, st, pad, residual]] of Object.entries(SHAPES)) {
  if (only && !name.includes(only)) continue;
  const oh = Math.floor((ih + 2 * pad - k) / st) + 1;
  const s = { n: 1, c, m, group: 1, ih, iw: ih, kh: k, kw: k, sh: st, sw: st, dh: 1, dw: 1, ph: pad, pw: pad, oh, ow: oh };
  const macs = m * oh * oh * c * k * k;
  const w = rnd(m * c * k * k, 1);
  const mark = wasm.mark();
  const x = wasm.put(rnd(c * ih * ih, 2));
  const y = wasm.alloc(m * oh * oh);
  const ep = noEpilogue ? undefined : { bias: wasm.put(rnd(m, 3)), residual: residual ? wasm.put(rnd(m * oh * oh, 4)) : undefined, activation: { kind: 'relu' } };
  const packed = api.packConvWeights(wasm, w, s);
  const row = [`${(2 * macs / time(() => api.conv2d(wasm, s, x, packed, y, ep)) / 1e6).toFixed(1).padStart(6)}`];
  packed.block.release();
  if (wino.winogradApplies(s)) {
    for (const tile of [2, 4]) {
      const pw = wino.packWinogradWeights(wasm, w, m, c, tile);
      row.push(`F${tile} ${(2 * macs / time(() => wino.winogradConv2d(wasm, s, x, pw, y, ep)) / 1e6).toFixed(1).padStart(6)}`);
      pw.block.release();
    }
  }
  wasm.rewind(mark);
  console.log(`${name.padEnd(30)} ${(macs / 1e6).toFixed(1).padStart(7)} M  GF/s: ${row.join('  ')}`);
}
console.log(`load ${os.loadavg()[0]!.toFixed(2)}`);
process.exit(0);
