// Where a CPU engine's time goes, layer by layer: builds the CPU engine of a model (its first
// input at the model's static shape, or --shape), then times the whole run and each layer's run
// function (CpuEngine.layerRuns()), min over rounds of reps, in wall time and process CPU time
// (CPU time moves less with other processes' load; the tables sort and sum by it). --root DIR runs another checkout's source
// (e.g. /work/main) with the same script, for A/B in turns on a busy machine.
//
//   NNRT_CPU_THREADS=1 npx tsx bench/cpu-layer-times.ts MODEL.onnx [--reps N] [--rounds R] [--top K] [--root DIR] [--json FILE]
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const reps = Number(opt('--reps') ?? 20);
const rounds = Number(opt('--rounds') ?? 5);
const top = Number(opt('--top') ?? 10);
const root = resolve(opt('--root') ?? new URL('..', import.meta.url).pathname);
const jsonFile = opt('--json');
const shapeArg = opt('--shape');
const file = args[0];
if (!file) throw new Error('usage: bench/cpu-layer-times.ts MODEL.onnx [--reps N] [--rounds R] [--top K] [--root DIR] [--json FILE]');

const src = (p: string) => import(pathToFileURL(`${root}/src/${p}`).href);
const { cpuThreadCount } = await src('node/cpu-threads.ts');
const { importOnnx } = await src('onnx/import/model.ts');
const { CpuEngine } = await src('engine/cpu/engine.ts');
const { Tensor } = await src('tensor/tensor.ts');
const { prepareWasmKernels } = await src('cpu/wasm-kernels.ts');
await prepareWasmKernels(); // starts the thread pool (NNRT_CPU_THREADS)

const graph = importOnnx(new Uint8Array(readFileSync(file))).graph;
const input = graph.inputs.find((v: { name: string }) => !graph.initializers.has(v.name))!;
const shape: number[] = shapeArg ? shapeArg.split(',').map(Number) : input.shape.map((d: unknown) => (typeof d === 'number' ? d : 1));
const engine = CpuEngine.build(graph, { [input.name]: shape }, {});
const count = shape.reduce((a, b) => a * b, 1);
const data = new Float32Array(count).map((_, i) => Math.sin(i * 0.37));
const feeds = { [input.name]: new Tensor('float32', shape, data) };
engine.run(feeds);

/** Min over rounds of (wall ms, cpu ms) per call of `fn`, each round `reps` calls. */
function time(fn: () => void, n = reps): { wall: number; cpu: number } {
  let wall = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    const t1 = performance.now();
    const c = process.cpuUsage(c0);
    wall = Math.min(wall, (t1 - t0) / n);
    cpu = Math.min(cpu, (c.user + c.system) / 1000 / n);
  }
  return { wall, cpu };
}

const load0 = os.loadavg()[0]!.toFixed(2);
const whole = time(() => engine.run(feeds));
// older checkouts (--root) return the run functions themselves, newer ones { layer, run, view }
const runs = (engine.layerRuns() as unknown[]).map((r) => (typeof r === 'function' ? r : (r as { run: () => void }).run)) as (() => void)[];
const plan = engine.plan.layers as { name: string; kind: string; tactic: string }[];
const net = engine.network as { layers: { name: string; output?: string; outputs?: string[]; weightShape?: number[] }[]; tensors: Map<string, { shape: number[] }> };
const layers = runs.map((run, i) => {
  const l = plan[i]!;
  const outName = net.layers[i]?.output ?? net.layers[i]?.outputs?.[0];
  const outShape = outName ? net.tensors.get(outName)?.shape : undefined;
  // multiply-adds of a conv layer: output elements × weights per output
  const ws = net.layers[i]?.weightShape;
  const macs = l.kind === 'conv' && ws && outShape ? outShape.reduce((a, b) => a * b, 1) * ws.slice(1).reduce((a, b) => a * b, 1) : 0;
  return { name: l.name, kind: l.kind, tactic: l.tactic, shape: outShape ? `[${outShape.join(',')}]` : '', macs, ...time(run) };
});
const load1 = os.loadavg()[0]!.toFixed(2);
const sum = layers.reduce((a, l) => a + l.wall, 0);
const cpuSum = layers.reduce((a, l) => a + l.cpu, 0);
console.log(`${file}: ${cpuThreadCount()} thread(s), root ${root}, load ${load0} → ${load1}, ${layers.length} layers`);
console.log(`whole run: ${whole.wall.toFixed(3)} ms wall, ${whole.cpu.toFixed(3)} ms cpu; layer sum ${sum.toFixed(3)} ms wall, ${cpuSum.toFixed(3)} ms cpu`);
const byKind = new Map<string, { n: number; ms: number }>();
for (const l of layers) {
  const k = `${l.kind}/${l.tactic}`;
  const e = byKind.get(k) ?? { n: 0, ms: 0 };
  byKind.set(k, { n: e.n + 1, ms: e.ms + l.cpu });
}
console.log('cpu ms by kind/executor: ' + [...byKind].sort((a, b) => b[1].ms - a[1].ms).map(([k, e]) => `${k} ×${e.n} ${e.ms.toFixed(3)}`).join(', '));
for (const l of [...layers].sort((a, b) => b.cpu - a.cpu).slice(0, top)) {
  const gflops = l.macs ? ` ${(2 * l.macs / l.cpu / 1e6).toFixed(1).padStart(5)} GF/s` : '';
  console.log(`  ${l.wall.toFixed(3).padStart(7)} ms  ${l.cpu.toFixed(3).padStart(7)} cpu  ${(100 * l.cpu / cpuSum).toFixed(1).padStart(5)}%${gflops}  ${l.kind}/${l.tactic} ${l.shape}  ${l.name}`);
}
if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ file, root, threads: cpuThreadCount(), load: [load0, load1], whole, layers }, null, 1));
engine.dispose();
process.exit(0);
