// Dynamic shapes verified on this machine's WebGPU (issue 17): each model gets ONE optimization
// profile, is partitioned and built once at the profile's opt, then run at several shapes in range
// (each a specialization of the same build) against onnxruntime-node; shapes outside the profile
// must be refused (ProfileError in the API, exit 2 in the CLI). Writes a Markdown report and JSON.
// Usage: XDG_RUNTIME_DIR=/tmp/xdg-me npx tsx bench/dynamic-shapes.ts [--only resnet50|bert]
//        [--quick] [--image N] [--bert-layers N] [--bert-shapes 1x16,2x77,...] [--no-steady]
//        [--out bench/results/dynamic-shapes-DATE.md]
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
import type { ShapeProfile } from '../src/engine/profile.js';
import { importOnnx } from '../src/onnx/import/model.js';
import { createSession } from '../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../src/tensor/compare.js';
import { uniformTensor } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';
import { bertBaseDynamic, bertFeeds, realTokens, resnet50DynamicBatch } from './dynamic-shapes/models.js';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = flag('--only');
// --quick: what a loaded 2-core machine with a CPU Vulkan driver finishes in minutes: ResNet-50 at
// 64x64 images (every layer; the batch range and the shapes checked unchanged), BERT with 2 layers
// and sequences up to 160 run (the profile still reaches 8x512), no second (steady) run
const quick = args.includes('--quick');
const bertLayers = Number(flag('--bert-layers') ?? (quick ? 2 : 12));
const image = Number(flag('--image') ?? (quick ? 64 : 224));
const steadyRuns = !quick && !args.includes('--no-steady');
const parsePoints = (list: string) => list.split(',').map((p) => p.split('x').map(Number));
const bertShapes = parsePoints(flag('--bert-shapes') ?? (quick ? '1x16,2x77,1x128,8x160' : '1x16,2x77,1x128,4x256,8x512'));
const date = new Date().toISOString().slice(0, 10);
const outFile = flag('--out') ?? new URL(`results/dynamic-shapes-${date}.md`, import.meta.url).pathname;
const root = new URL('../', import.meta.url).pathname;

interface Case {
  name: string;
  what: string;
  onnx: () => Uint8Array;
  /** One range per input. */
  profile: ShapeProfile;
  /** The points run, e.g. [batch, seq]; `feeds` makes each point's inputs; `opt` is the profile's. */
  shapes: number[][];
  opt: number[];
  outside: number[][];
  feeds: (point: number[], seed: number) => Record<string, Tensor>;
  /** What a point's inputs hold beyond their shape (BERT: the real tokens of each row). */
  note?: (point: number[]) => string;
}

const BERT_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids'];
const bertRange = { min: [1, 16], opt: [1, 128], max: [8, 512] };

const CASES: Case[] = [
  {
    name: 'resnet50', what: `ResNet-50 v1 (nnrt zoo, seeded weights), input data [batch,3,${image},${image}]`,
    onnx: () => resnet50DynamicBatch(1, image),
    profile: { data: { min: [1, 3, image, image], opt: [16, 3, image, image], max: [32, 3, image, image] } },
    shapes: [[1], [7], [16], [32]], opt: [16], outside: [[33]],
    feeds: ([b], seed) => ({ data: uniformTensor([b!, 3, image, image], seed) }),
  },
  {
    name: 'bert', what: `BERT-base as torch.onnx exports BertModel with dynamic axes (bench/cpu-models/bert.ts, seeded): ${bertLayers} layers, hidden 768, 12 heads, FFN 3072, vocab 30522, ` +
      'inputs input_ids / attention_mask / token_type_ids int64 [batch,sequence]; word + position (Slice of the position buffer) + token type embeddings (Gather), LayerNorm, ' +
      'extended mask (1 − mask)·finfo(float32).min, head split and merge Reshapes computed from Shape; outputs last_hidden_state and pooler_output',
    onnx: () => bertBaseDynamic(bertLayers),
    profile: Object.fromEntries(BERT_INPUTS.map((n) => [n, bertRange])),
    shapes: bertShapes, opt: bertRange.opt, outside: [[9, 128], [1, 513], [1, 8]],
    feeds: ([b, s], seed) => bertFeeds(b!, s!, seed),
    note: ([b, s]) => `real tokens per row: ${Array.from({ length: b! }, (_, r) => realTokens(r, b!, s!)).join(',')}`,
  },
];

const show = (s: readonly number[]) => s.join('x');
/** ' (N: reason; ...)': the partitioner's reasons for declining nodes, counted. */
const declinedWhy = (declined: readonly { reason: string }[]) => {
  const counts = new Map<string, number>();
  for (const d of declined) counts.set(d.reason, (counts.get(d.reason) ?? 0) + 1);
  return counts.size ? ` (${[...counts].map(([r, n]) => `${n}: ${r}`).join('; ')})` : '';
};
const ms = (t: number) => (t >= 10_000 ? `${(t / 1000).toFixed(1)} s` : `${t.toFixed(0)} ms`);

async function ortRun(session: ort.InferenceSession, feeds: Record<string, Tensor>): Promise<{ y: Record<string, Tensor>; ms: number }> {
  const t0 = performance.now();
  const res = await session.run(Object.fromEntries(Object.entries(feeds).map(([n, t]) => [n, new ort.Tensor(t.dtype as 'float32', t.data as Float32Array, [...t.shape])])));
  const y = Object.fromEntries(Object.entries(res).map(([n, v]) => [n, new Tensor('float32', v.dims as number[], v.data as Float32Array)]));
  return { y, ms: performance.now() - t0 };
}

/** `nnrt run` at a shape outside the profile: must exit 2 with a ProfileError. */
function cliOutside(model: string, c: Case, feeds: Record<string, Tensor>): { code: number | null; line: string; args: string[] } {
  const spec = Object.entries(c.profile).map(([n, r]) => `${n}=${show(r.min)}:${show(r.opt)}:${show(r.max)}`).join(',');
  const shapes = Object.entries(feeds).flatMap(([n, t]) => ['--shapes', `${n}=${show(t.shape)}`]);
  const cli = ['run', model, '--engine', 'webgpu', '--profile', spec, ...shapes, '--json'];
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...cli], { encoding: 'utf8', cwd: root });
  return { code: r.status, line: r.stderr.split('\n').find((l) => l.includes('ProfileError')) ?? r.stderr.trim().split('\n').pop() ?? '', args: cli };
}

const started = performance.now();

async function verifyCase(c: Case, lines: string[], json: object[]): Promise<boolean> {
  console.error(`== ${c.name}: exporting`);
  const onnx = c.onnx();
  const tmp = mkdtempSync(join(tmpdir(), 'nnrt-dyn-'));
  const modelFile = join(tmp, `${c.name}.onnx`);
  writeFileSync(modelFile, onnx);
  const notices: string[] = [];
  const session = await createSession(importOnnx(onnx).graph, { engine: 'webgpu', timeTactics: false, notice: (l) => notices.push(l), profiles: [c.profile] });
  const ref = await ort.InferenceSession.create(onnx, { executionProviders: ['cpu'], intraOpNumThreads: 2 });
  const rows: Record<string, unknown>[] = [];
  const ranges = Object.entries(c.profile).map(([n, r]) => `${n} ${show(r.min)} .. ${show(r.max)} (opt ${show(r.opt)})`).join('; ');
  let ok = true;
  try {
    // the first run partitions and builds at opt (and specializes at max to size the arena)
    console.error(`== ${c.name}: build at opt ${show(c.opt)} (${ms(performance.now() - started)})`);
    let t0 = performance.now();
    await session.run(c.feeds(c.opt, 1));
    const buildMs = performance.now() - t0;
    const e0 = session.stats().engine!;
    const nodes = e0.partition.subgraphs.reduce((a, s) => a + s.nodes.length, 0);
    lines.push(`### ${c.name}`, '', c.what, '',
      `One profile: ${ranges}. Partitioned and built once at opt (no tactic timing on lavapipe), specialized at max for the arena: ${ms(buildMs)} with the first run. ` +
      `${e0.partition.subgraphs.length} engine(s) holding ${nodes} of ${e0.partition.totalNodes} nodes; ${e0.partition.declined.length} declined${declinedWhy(e0.partition.declined)}.`, '',
      '| shape | inputs | first run (specialization + run) | specialization | steady run | onnxruntime-node cpu | max abs err | max rel err | within 1e-4 + 1e-3·\\|x\\| | builds | specializations |',
      '|---|---|---|---|---|---|---|---|---|---|---|');
    for (const [k, point] of c.shapes.entries()) {
      console.error(`== ${c.name}: ${show(point)} (${ms(performance.now() - started)})`);
      const feeds = c.feeds(point, 100 + k);
      const before = session.stats().engine!;
      t0 = performance.now();
      const got = await session.run(feeds);
      const first = performance.now() - t0;
      const after1 = session.stats().engine!;
      t0 = performance.now();
      if (steadyRuns) await session.run(feeds);
      const steady = steadyRuns ? performance.now() - t0 : NaN;
      const want = await ortRun(ref, feeds);
      const cmps = Object.entries(want.y).map(([n, w]) => ({ output: n, ...(got[n] ? compareTensors(got[n]!, w, FP32_TOLERANCE) : { pass: false, maxAbsError: Infinity, maxRelError: Infinity, mismatches: w.size }) }));
      const pass = cmps.every((m) => m.pass);
      const maxAbs = Math.max(...cmps.map((m) => m.maxAbsError));
      const maxRel = Math.max(...cmps.map((m) => m.maxRelError));
      const e = session.stats().engine!;
      const spec = after1.specializationMs - before.specializationMs;
      const made = after1.specializations - before.specializations;
      ok &&= pass && e.builds === 1;
      const inputs = Object.entries(feeds).map(([n, t]) => `${n} [${t.shape.join(',')}]`).join(', ') + (c.note ? `; ${c.note(point)}` : '');
      rows.push({ point, inputs, firstMs: first, specializationMs: made ? spec : 0, specialized: made > 0, steadyMs: steady, ortMs: want.ms, outputs: cmps, pass, builds: e.builds, specializations: e.specializations });
      const bad = cmps.filter((m) => !m.pass).map((m) => `${m.output}: ${m.mismatches} elements`).join('; ');
      lines.push(`| ${show(point)} | ${inputs} | ${ms(first)} | ${made ? ms(spec) : 'none (made with the build)'} | ${steadyRuns ? ms(steady) : '—'} | ${ms(want.ms)} | ${maxAbs.toExponential(2)} | ${maxRel.toExponential(2)} | ${pass ? `yes (${cmps.length} outputs)` : `NO (${bad})`} | ${e.builds} | ${e.specializations} |`);
      writeProgress?.();
    }
    lines.push('');
    const refused: Record<string, unknown>[] = [];
    for (const point of c.outside) {
      const feeds = c.feeds(point, 3);
      const err = await session.run(feeds).then(() => undefined, (e: Error) => e);
      const cli = cliOutside(modelFile, c, feeds);
      const pass = err instanceof ProfileError && cli.code === 2 && cli.line.includes('ProfileError');
      ok &&= pass;
      refused.push({ point, api: err ? `${err.name}: ${err.message}` : 'ran', cliExit: cli.code, cliStderr: cli.line, cli: `nnrt ${cli.args.join(' ').replace(modelFile, `${c.name}.onnx`)}` });
      lines.push(`* outside, ${show(point)}: API ${err ? `${err.name}` : 'RAN (wrong)'}; \`nnrt run\` exit ${cli.code}${pass ? '' : ' (WRONG)'} — \`${cli.line.slice(0, 400)}\``);
    }
    const e = session.stats().engine!;
    lines.push('', `Builds ${e.builds}, partitions ${e.partitions}, specializations ${e.specializations} (${ms(e.specializationMs)} in all), notices ${notices.length}.`, '');
    json.push({ model: c.name, what: c.what, profile: c.profile, buildMs, engines: e0.partition.subgraphs.length, nodesInEngines: nodes, totalNodes: e0.partition.totalNodes, declined: e0.partition.declined, rows, refused, builds: e.builds, partitions: e.partitions, specializations: e.specializations, specializationMs: e.specializationMs, notices });
  } finally {
    session.dispose();
    await ref.release();
    rmSync(tmp, { recursive: true, force: true });
  }
  return ok;
}

let writeProgress: (() => void) | undefined;

async function main(): Promise<number> {
  const gpu = await sharedGpuDevice(await defaultGpu());
  const a = gpu.adapter;
  const lines = [`# Dynamic shapes: one profile build per model, verified at several shapes (${date})`, '',
    `Machine: ${os.cpus()[0]?.model.trim()} (${os.availableParallelism()} cores, shared), WebGPU adapter ${a.vendor} ${a.architecture} (${a.description})${a.isFallback ? ' [CPU emulation]' : ''}.`,
    'Times on a CPU Vulkan driver say nothing about a GPU; the figures that matter here are the build and specialization counts and the errors.',
    `Reference: onnxruntime-node ${ort.env.versions.common} (CPU). Tolerance fp32: |nnrt − ort| ≤ 1e-4 + 1e-3·|ort|. Reproduce: \`XDG_RUNTIME_DIR=/tmp/xdg-$USER npx tsx bench/dynamic-shapes.ts ${args.join(' ')}\`.`,
    ...(quick ? ['', `**--quick**: ResNet-50 at ${image}x${image} images (all 50 layers; batch range and shapes as asked), BERT with ${bertLayers} of BERT-base's layers and the shapes ${bertShapes.map(show).join(', ')} run (the profile still reaches 8x512, whose specialization is made with the build), one run per shape.`] : []), ''];
  const json: object[] = [];
  let ok = true;
  // written after each shape too, so a long run that is stopped keeps what it finished
  const write = (tail: string[]) => {
    writeFileSync(outFile, [...lines, ...tail].join('\n') + '\n');
    writeFileSync(outFile.replace(/\.md$/, '.json'), JSON.stringify({ date, adapter: a, results: json }, null, 2) + '\n');
  };
  writeProgress = () => write(['', '(run in progress)']);
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
