// Runs one model over many backend-test data sets in ONE session (the engine is built once per
// input shape) and writes each set's outputs as out/<set>/output_K.pb, for bench/gpu-int8.sh's
// comparisons in Python (nnrt run would rebuild the engine per process).
//
//   node --import tsx bench/gpu-models/run-sets.ts MODEL OUTDIR SETDIR... [--engine none|webgpu] [--precision fp32|fp16] [--no-tactics]
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import '../../src/node/webgpu.js';
import '../../src/ops/index.js';
import { loadModelFromFile } from '../../src/node/load-model.js';
import { readTensorPb } from '../../src/node/files.js';
import { encodeTensorProto } from '../../src/onnx/tensor-write.js';
import { createSession } from '../../src/runtime/session.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = args[i + 1]!;
  args.splice(i, 2);
  return v;
};
const engine = flag('--engine', 'webgpu') as 'none' | 'webgpu';
const precision = flag('--precision', 'fp32') as 'fp32' | 'fp16';
const tactics = !args.includes('--no-tactics');
if (!tactics) args.splice(args.indexOf('--no-tactics'), 1);
const [model, outDir, ...sets] = args;
if (!model || !outDir || !sets.length) {
  console.error('usage: run-sets.ts MODEL OUTDIR SETDIR... [--engine none|webgpu] [--precision fp32|fp16]');
  process.exit(2);
}
const { graph } = loadModelFromFile(model);
const session = await createSession(graph, { device: 'webgpu', engine, precision, timeTactics: tactics, notice: (l) => console.error(l) });
const names = session.inputs.map((v) => v.name);
for (const dir of sets) {
  const files = readdirSync(dir).filter((f) => /^input_\d+\.pb$/.test(f)).sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]));
  const feeds = Object.fromEntries(files.map((f, k) => [names[k]!, readTensorPb(join(dir, f)).tensor]));
  const t0 = performance.now();
  const outputs = await session.run(feeds);
  const ms = performance.now() - t0;
  const target = join(outDir, basename(dir));
  mkdirSync(target, { recursive: true });
  session.outputs.forEach((o, k) => writeFileSync(join(target, `output_${k}.pb`), encodeTensorProto(o.name, outputs[o.name]!)));
  console.error(`${basename(dir)}: ${ms.toFixed(1)} ms`);
}
session.dispose();
process.exit(0);
