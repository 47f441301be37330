// Runs one model over many backend-test data sets in ONE session (the engine is built once per
// input shape) and writes each set's outputs as OUTDIR/<set>/output_K.pb, for bench/gpu-int8.sh's
// comparisons in Python (`nnrt run` would rebuild the engine in every process). Plain JavaScript
// over the build (dist/, `npm run build`): the GPU machine has production node_modules only.
//
//   node bench/gpu-models/run-sets.mjs MODEL OUTDIR SETDIR... [--engine none|webgpu] [--precision fp32|fp16] [--no-tactics]
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import '../../dist/node/webgpu.js';
import '../../dist/ops/index.js';
import { loadModelFromFile } from '../../dist/node/load-model.js';
import { readTensorPb } from '../../dist/node/files.js';
import { encodeTensorProto } from '../../dist/onnx/tensor-write.js';
import { createSession } from '../../dist/runtime/session.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const engine = flag('--engine', 'webgpu');
const precision = flag('--precision', 'fp32');
const tactics = !args.includes('--no-tactics');
if (!tactics) args.splice(args.indexOf('--no-tactics'), 1);
const [model, outDir, ...sets] = args;
if (!model || !outDir || !sets.length) {
  console.error('usage: run-sets.mjs MODEL OUTDIR SETDIR... [--engine none|webgpu] [--precision fp32|fp16] [--no-tactics]');
  process.exit(2);
}
const { graph } = loadModelFromFile(model);
const session = await createSession(graph, { device: 'webgpu', engine, precision, timeTactics: tactics, notice: (l) => console.error(l) });
const names = session.inputs.map((v) => v.name);
for (const dir of sets) {
  const files = readdirSync(dir).filter((f) => /^input_\d+\.pb$/.test(f)).sort((a, b) => Number(a.match(/\d+/)[0]) - Number(b.match(/\d+/)[0]));
  const feeds = Object.fromEntries(files.map((f, k) => [names[k], readTensorPb(join(dir, f)).tensor]));
  const t0 = performance.now();
  const outputs = await session.run(feeds);
  const ms = performance.now() - t0;
  const target = join(outDir, basename(dir));
  mkdirSync(target, { recursive: true });
  session.outputs.forEach((o, k) => writeFileSync(join(target, `output_${k}.pb`), encodeTensorProto(o.name, outputs[o.name])));
  console.error(`${basename(dir)}: ${ms.toFixed(1)} ms`);
}
// coverage: nodes in engines, declined nodes by reason, engine builds
const e = session.stats().engine;
if (e) {
  const p = e.partition;
  const reasons = {};
  for (const d of p.declined) reasons[`${d.op}: ${d.reason}`] = (reasons[`${d.op}: ${d.reason}`] ?? 0) + 1;
  console.log(JSON.stringify({
    model, totalNodes: p.totalNodes, engineNodes: p.subgraphs.reduce((a, g) => a + g.nodes.length, 0), subgraphs: p.subgraphs.length,
    declined: reasons, engines: e.engines.map((g) => ({ layers: g.layers, buildMs: Math.round(g.buildMs) })),
  }));
}
session.dispose();
process.exit(0);
