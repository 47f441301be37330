// Dynamic shapes verified on this machine's WebGPU (issue 17): each model gets ONE optimization
// profile, is partitioned and built once at the profile's opt, then run at several shapes in range
// (each a specialization of the same build) against onnxruntime-node; shapes outside the profile
// must be refused (ProfileError in the API, exit 2 in the CLI). Writes a Markdown report and JSON.
// Usage: XDG_RUNTIME_DIR=/tmp/xdg-me npx tsx bench/dynamic-shapes.ts [--only resnet50|bert]
//        [--quick] [--image N] [--bert-layers N] [--out bench/results/dynamic-shapes-DATE.md]
// Lavapipe (a CPU Vulkan driver) is slow: ResNet-50 at batch 32 takes about a minute per run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import '../src/node/webgpu.js';
import { sharedGpuDevice } from '../src/devices/webgpu/device.js';
import { defaultGpu } from '../src/devices/webgpu/provider.js';
import { ProfileError } from '../src/errors.js';
import type { ShapeRange } from '../src/engine/profile.js';
import { importOnnx } from '../src/onnx/import/model.js';
import { createSession } from '../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../src/tensor/compare.js';
import { uniformTensor } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';
import { BERT_BASE, bertEncoder, resnet50DynamicBatch } from './dynamic-shapes/models.js';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = flag('--only');
// --quick: what a loaded 2-core machine with a CPU Vulkan driver finishes in minutes: ResNet-50 at
// 64x64 images (every layer; the batch range and the shapes checked unchanged), the encoder with 2
// layers and sequences up to 160 run (the profile still reaches 8x512), no second (steady) run
const quick = args.includes('--quick');
const bertLayers = Number(flag('--bert-layers') ?? (quick ? 2 : BERT_BASE.layers));
const image = Number(flag('--image') ?? (quick ? 64 : 224));
const steadyRuns = !quick;
const date = new Date().toISOString().slice(0, 10);
const outFile = flag('--out') ?? new URL(`results/dynamic-shapes-${date}.md`, import.meta.url).pathname;
const root = new URL('../', import.meta.url).pathname;

interface Case {
  name: string;
  what: string;
  onnx: () => Uint8Array;
  input: string;
  range: ShapeRange;
  shapes: number[][];
  outside: number[][];
}

const CASES: Case[] = [
  {
    name: 'resnet50', what: `ResNet-50 v1 (nnrt zoo, seeded weights), input data [batch,3,${image},${image}]`,
    onnx: () => resnet50DynamicBatch(1, image), input: 'data',
    range: { min: [1, 3, image, image], opt: [16, 3, image, image], max: [32, 3, image, image] },
    shapes: [[1, 3, image, image], [7, 3, image, image], [16, 3, image, image], [32, 3, image, image]],
    outside: [[33, 3, image, image]],
  },
  {
    name: 'bert', what: `BERT-base-shaped encoder: ${bertLayers} layers, hidden 768, 12 heads, FFN 3072 (seeded), input x [batch,seq,768]`,
    onnx: () => bertEncoder({ ...BERT_BASE, layers: bertLayers }), input: 'x',
    range: { min: [1, 16, 768], opt: [4, 128, 768], max: [8, 512, 768] },
    shapes: quick ? [[1, 16, 768], [2, 77, 768], [4, 128, 768], [8, 160, 768]] : [[1, 16, 768], [2, 77, 768], [4, 128, 768], [8, 256, 768], [8, 512, 768]],
    outside: [[9, 16, 768], [1, 513, 768], [1, 8, 768]],
  },
];

const show = (s: readonly number[]) => s.join('x');
const ms = (t: number) => (t >= 10_000 ? `${(t / 1000).toFixed(1)} s` : `${t.toFixed(0)} ms`);

async function ortRun(session: ort.InferenceSession, name: string, x: Tensor): Promise<{ y: Tensor; ms: number }> {
  const t0 = performance.now();
  const res = await session.run({ [name]: new ort.Tensor('float32', x.data as Float32Array, [...x.shape]) });
  const v = Object.values(res)[0]!;
  return { y: new Tensor('float32', v.dims as number[], v.data as Float32Array), ms: performance.now() - t0 };
}

/** `nnrt run` at a shape outside the profile: must exit 2 with a ProfileError. */
function cliOutside(model: string, c: Case, shape: number[]): { code: number | null; line: string } {
  const spec = `${c.input}=${show(c.range.min)}:${show(c.range.opt)}:${show(c.range.max)}`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'run', model, '--engine', 'webgpu', '--profile', spec, '--shapes', `${c.input}=${show(shape)}`, '--json'], { encoding: 'utf8', cwd: root });
  return { code: r.status, line: r.stderr.split('\n').find((l) => l.includes('ProfileError')) ?? r.stderr.trim().split('\n').pop() ?? '' };
}

const started = performance.now();

async function verifyCase(c: Case, lines: string[], json: object[]): Promise<boolean> {
  console.error(`== ${c.name}: exporting`);
  const onnx = c.onnx();
  const tmp = mkdtempSync(join(tmpdir(), 'nnrt-dyn-'));
  const modelFile = join(tmp, `${c.name}.onnx`);
  writeFileSync(modelFile, onnx);
  const notices: string[] = [];
  const session = await createSession(importOnnx(onnx).graph, {
    engine: 'webgpu', timeTactics: false, notice: (l) => notices.push(l), profiles: [{ [c.input]: c.range }],
  });
  const ref = await ort.InferenceSession.create(onnx, { executionProviders: ['cpu'], intraOpNumThreads: 2 });
  const rows: Record<string, unknown>[] = [];
  let ok = true;
  try {
    // the first run partitions and builds at opt (and specializes at max to size the arena)
    console.error(`== ${c.name}: build at opt ${show(c.range.opt)} (${ms(performance.now() - started)})`);
    let t0 = performance.now();
    await session.run({ [c.input]: uniformTensor(c.range.opt, 1) });
    const buildMs = performance.now() - t0;
    const e0 = session.stats().engine!;
    const nodes = e0.partition.subgraphs.reduce((a, s) => a + s.nodes.length, 0);
    lines.push(`### ${c.name}`, '', c.what, '',
      `Profile ${c.input} ${show(c.range.min)} .. ${show(c.range.max)}, opt ${show(c.range.opt)}. Partitioned and built once at opt ` +
      `(no tactic timing on lavapipe), specialized at max for the arena: ${ms(buildMs)} with the first run. ` +
      `${e0.partition.subgraphs.length} engine(s) holding ${nodes} nodes; ${e0.partition.declined.length} declined.`, '',
      '| shape | first run (specialization + run) | specialization | steady run | onnxruntime-node cpu | max abs err | max rel err | within 1e-4 + 1e-3·\\|x\\| | builds | specializations |',
      '|---|---|---|---|---|---|---|---|---|---|');
    for (const [k, shape] of c.shapes.entries()) {
      console.error(`== ${c.name}: ${show(shape)} (${ms(performance.now() - started)})`);
      const x = uniformTensor(shape, 100 + k);
      const before = session.stats().engine!;
      t0 = performance.now();
      const got = Object.values(await session.run({ [c.input]: x }))[0]!;
      const first = performance.now() - t0;
      const after1 = session.stats().engine!;
      t0 = performance.now();
      if (steadyRuns) await session.run({ [c.input]: x });
      const steady = steadyRuns ? performance.now() - t0 : NaN;
      const want = await ortRun(ref, c.input, x);
      const cmp = compareTensors(got, want.y, FP32_TOLERANCE);
      const e = session.stats().engine!;
      const spec = after1.specializationMs - before.specializationMs;
      const made = after1.specializations - before.specializations;
      ok &&= cmp.pass && e.builds === 1;
      rows.push({ shape, firstMs: first, specializationMs: made ? spec : 0, specialized: made > 0, steadyMs: steady, ortMs: want.ms, maxAbs: cmp.maxAbsError, maxRel: cmp.maxRelError, pass: cmp.pass, builds: e.builds, specializations: e.specializations });
      lines.push(`| ${show(shape)} | ${ms(first)} | ${made ? ms(spec) : 'none (made with the build)'} | ${steadyRuns ? ms(steady) : '—'} | ${ms(want.ms)} | ${cmp.maxAbsError.toExponential(2)} | ${cmp.maxRelError.toExponential(2)} | ${cmp.pass ? 'yes' : `NO (${cmp.mismatches} elements)`} | ${e.builds} | ${e.specializations} |`);
    }
    lines.push('');
    const refused: Record<string, unknown>[] = [];
    for (const shape of c.outside) {
      const err = await session.run({ [c.input]: uniformTensor(shape, 3) }).then(() => undefined, (e: Error) => e);
      const cli = cliOutside(modelFile, c, shape);
      const pass = err instanceof ProfileError && cli.code === 2 && cli.line.includes('ProfileError');
      ok &&= pass;
      refused.push({ shape, api: err ? `${err.name}: ${err.message}` : 'ran', cliExit: cli.code });
      lines.push(`* outside, ${show(shape)}: API ${err ? err.name : 'RAN (wrong)'}; \`nnrt run\` exit ${cli.code}${pass ? '' : ' (WRONG)'} — \`${cli.line.slice(0, 220)}\``);
    }
    const e = session.stats().engine!;
    lines.push('', `Builds ${e.builds}, partitions ${e.partitions}, specializations ${e.specializations} (${ms(e.specializationMs)} in all), notices ${notices.length}.`, '');
    json.push({ model: c.name, what: c.what, input: c.input, range: c.range, buildMs, engines: e0.partition.subgraphs.length, nodesInEngines: nodes, declined: e0.partition.declined.length, rows, refused, builds: e.builds, partitions: e.partitions, specializations: e.specializations, specializationMs: e.specializationMs, notices });
  } finally {
    session.dispose();
    await ref.release();
    rmSync(tmp, { recursive: true, force: true });
  }
  return ok;
}

async function main(): Promise<number> {
  const gpu = await sharedGpuDevice(await defaultGpu());
  const a = gpu.adapter;
  const lines = [`# Dynamic shapes: one profile build per model, verified at several shapes (${date})`, '',
    `Machine: ${os.cpus()[0]?.model.trim()} (${os.availableParallelism()} cores, shared), WebGPU adapter ${a.vendor} ${a.architecture} (${a.description})${a.isFallback ? ' [CPU emulation]' : ''}.`,
    'Times on a CPU Vulkan driver say nothing about a GPU; the figures that matter here are the build and specialization counts and the errors.',
    `Reference: onnxruntime-node ${ort.env.versions.common} (CPU). Tolerance fp32: |nnrt − ort| ≤ 1e-4 + 1e-3·|ort|. Reproduce: \`XDG_RUNTIME_DIR=/tmp/xdg-$USER npx tsx bench/dynamic-shapes.ts ${args.join(' ')}\`.`,
    ...(quick ? ['', `**--quick**: ResNet-50 at ${image}x${image} images (all 50 layers; batch range and shapes as asked), the encoder with ${bertLayers} BERT-base layers and sequences run up to 160 (the profile still reaches 8x512, whose specialization is made with the build), one run per shape. The full sizes (224x224, 12 layers, 8x512 runs) are the same script without --quick; they did not finish on this loaded 2-core CPU Vulkan machine.`] : []), ''];
  const json: object[] = [];
  let ok = true;
  // written after each model too, so a long run that is stopped keeps what it finished
  const write = (tail: string[]) => {
    writeFileSync(outFile, [...lines, ...tail].join('\n') + '\n');
    writeFileSync(outFile.replace(/\.md$/, '.json'), JSON.stringify({ date, adapter: a, results: json }, null, 2) + '\n');
  };
  for (const c of CASES.filter((c) => !only || c.name === only)) {
    ok = (await verifyCase(c, lines, json)) && ok;
    write(['(run in progress)']);
  }
  lines.push(`Result: ${ok ? 'every shape in range agrees with onnxruntime, one build per model, every outside shape refused' : 'FAILURES above'}.`);
  write([]);
  console.log(lines.join('\n'));
  return ok ? 0 : 1;
}

process.exitCode = await main();
