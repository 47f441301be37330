// Where a CPU engine session's time goes, for one model: the whole run (min over reps), each CPU
// engine's share (the rest is the framework's nodes between engines and the copies in and out of the
// engines' arenas), and each engine layer's run function (min over reps, timed in order as a run
// runs them, and alone), slowest first.
// Timings are wall clock: run it with NNRT_CPU_THREADS=1 (and 2) on a quiet machine, and quote
// `uptime` with the figures.
//
//   NNRT_CPU_THREADS=1 npx tsx bench/cpu-profile.ts MODEL.onnx [--reps N] [--top K]
import '../src/node/cpu-threads.js';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { importOnnx } from '../src/onnx/import/model.js';
import { CpuEngine } from '../src/engine/cpu/engine.js';
import { GraphProgram } from '../src/executor/program.js';
import { createSession } from '../src/runtime/session.js';
import { uniformTensor } from '../src/tensor/random.js';
import type { Tensor } from '../src/tensor/tensor.js';

const argv = process.argv.slice(2);
const opt = (flag: string, fallback: number) => {
  const i = argv.indexOf(flag);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const file = argv.find((a, i) => !a.startsWith('--') && !['--reps', '--top'].includes(argv[i - 1] ?? ''));
if (!file) throw new Error('usage: npx tsx bench/cpu-profile.ts MODEL.onnx [--reps N] [--top K]');
const reps = opt('--reps', 30);
const top = opt('--top', 12);

const { graph } = importOnnx(readFileSync(file));
const feeds: Record<string, Tensor> = {};
let seed = 1;
for (const v of graph.inputs.filter((i) => !graph.initializers.has(i.name))) {
  feeds[v.name] = uniformTensor(v.shape.map(Number), -1, 1, seed++);
}

// every engine run's wall time, per engine
const engineMs = new Map<CpuEngine, number>();
const run = CpuEngine.prototype.run;
CpuEngine.prototype.run = function (this: CpuEngine, inputs) {
  const t0 = performance.now();
  const out = run.call(this, inputs);
  engineMs.set(this, (engineMs.get(this) ?? 0) + performance.now() - t0);
  return out;
};

// every framework node's wall time, per op type (an engine node's includes its engine's run)
const nodeMs = new Map<string, number>();
const proto = GraphProgram.prototype as unknown as { runStep(step: { bound: { node: { opType: string } } }, ...rest: unknown[]): unknown };
const runStep = proto.runStep;
proto.runStep = function (this: unknown, step, ...rest) {
  const t0 = performance.now();
  const out = runStep.call(this, step, ...rest);
  nodeMs.set(step.bound.node.opType, (nodeMs.get(step.bound.node.opType) ?? 0) + performance.now() - t0);
  return out;
};

const session = await createSession(graph, { device: 'cpu', engine: 'cpu' });
for (let i = 0; i < 5; i++) await session.run(feeds);
let best = Infinity;
let bestEngines = new Map<CpuEngine, number>();
let bestNodes = new Map<string, number>();
for (let i = 0; i < reps; i++) {
  engineMs.clear();
  nodeMs.clear();
  const t0 = performance.now();
  await session.run(feeds);
  const ms = performance.now() - t0;
  if (ms < best) {
    best = ms;
    bestEngines = new Map(engineMs);
    bestNodes = new Map(nodeMs);
  }
}
const engines = [...bestEngines.keys()];
const inEngines = [...bestEngines.values()].reduce((a, b) => a + b, 0);
const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`${file}: ${best.toFixed(2)} ms per run (min of ${reps}), ${process.env.NNRT_CPU_THREADS ?? os.availableParallelism()} thread(s), load ${load}`);
console.log(`  ${engines.length} cpu engine(s): ${inEngines.toFixed(2)} ms; framework nodes and copies between them: ${(best - inEngines).toFixed(2)} ms`);
console.log(`  framework nodes by op (best run): ${[...bestNodes].sort((a, b) => b[1] - a[1]).map(([op, ms]) => `${op} ${ms.toFixed(2)}`).join(', ')} ms`);
const stats = session.stats().engine;
for (const f of stats?.partition.fallbacks ?? []) console.log(`  framework: ${f.nodes.join(', ')} (${f.reason})`);

const rows: { engine: number; layer: string; kind: string; tactic: string; ms: number; alone: number }[] = [];
engines.forEach((e, k) => {
  const runs = e.layerRuns().map((l) => l.run);
  const layers = e.plan.layers;
  // in order, as a run does (each layer's inputs and weights as cold as in a real run), min per layer
  const inOrder = runs.map(() => Infinity);
  for (let j = 0; j < reps; j++) {
    runs.forEach((r, i) => {
      const t0 = performance.now();
      r();
      inOrder[i] = Math.min(inOrder[i]!, performance.now() - t0);
    });
  }
  // and each alone, repeated (caches warm with its own data)
  const alone = runs.map((r) => {
    let min = Infinity;
    for (let j = 0; j < reps; j++) {
      const t0 = performance.now();
      r();
      min = Math.min(min, performance.now() - t0);
    }
    return min;
  });
  runs.forEach((_, i) => rows.push({ engine: k, layer: layers[i]!.name, kind: layers[i]!.kind, tactic: layers[i]!.tactic, ms: inOrder[i]!, alone: alone[i]! }));
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0).toFixed(2);
  console.log(`  engine ${k}: ${bestEngines.get(e)!.toFixed(2)} ms in run(), ${runs.length} layers summing to ${sum(inOrder)} ms in order (${sum(alone)} ms each alone)`);
});
rows.sort((a, b) => b.ms - a.ms);
console.log(`  slowest ${Math.min(top, rows.length)} layers (min ms in order, min ms alone):`);
for (const r of rows.slice(0, top)) console.log(`    ${r.ms.toFixed(3).padStart(8)} ${r.alone.toFixed(3).padStart(8)}  e${r.engine} ${r.kind.padEnd(10)} ${r.tactic.padEnd(14)} ${r.layer}`);
session.dispose();
