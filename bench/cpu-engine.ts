// The CPU benchmark suite of issue 19: per model, one `nnrt bench --device cpu --engine none,cpu
// --peers ort-node,ort-web-wasm` process (every runtime on the same thread count: NNRT_CPU_THREADS,
// which src/node/peers.ts passes on to onnxruntime-node's intraOpNumThreads and onnxruntime-web's
// numThreads), then one markdown table (nnrt framework, nnrt CPU engine, onnxruntime-web wasm,
// onnxruntime-node, and the engine's ratio to each peer) with the machine, the load average before
// and after each model, and the raw JSON beside it. Without `--engine cpu` in this build (see
// ENGINES in src/runtime/session.ts) the engine column is empty and the ratios use the framework row.
//
//   npx tsx bench/cpu-engine.ts [MODELS...] [--runs N] [--warmup W] [--threads T] [--turns K] [--out PREFIX] [--ort-web-liftoff]
//
// --turns K (default 5): the rows take turns in K rounds (`nnrt bench --turns`), so the noisy
// spells of a shared virtual machine fall on every runtime alike; --turns 1 times the rows one
// after another.
//
// onnxruntime-web runs with V8's wasm tiering on (NNRT_ORT_WEB_LIFTOFF=0): `nnrt bench` alone keeps
// it on the baseline compiler (quick to start), which measured ~1.7× slower on ocr_crnn; the
// warm-up runs (default 10) give the optimizing compiler time. --ort-web-liftoff times Liftoff code.
//
// Models: squeezenet1_1 and shufflenet_v2_x0_5 from ../shared/models, and resnet50, mobilenet_v2,
// bert_small, ocr_crnn made by bench/cpu-models/make.ts (into its cache, once). Default: all six.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import type { BenchReport, BenchRow, ModelReport } from '../src/bench/types.js';
import { ENGINES } from '../src/runtime/session.js';
import { makeModel, MODELS } from './cpu-models/make.js';

const SHARED = ['squeezenet1_1', 'shufflenet_v2_x0_5'];
const ALL = [...SHARED, ...Object.keys(MODELS)];

interface Options {
  models: string[];
  runs: number;
  turns: number;
  warmup: number;
  threads: number;
  out: string;
  liftoff: boolean;
}

function parseArgs(argv: string[]): Options {
  const value = (flag: string, fallback: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
  };
  const flags = new Set(['--runs', '--warmup', '--threads', '--turns', '--out']);
  const models = argv.filter((a, i) => !a.startsWith('--') && !flags.has(argv[i - 1] ?? ''));
  for (const m of models) if (!ALL.includes(m)) throw new Error(`unknown model '${m}': one of ${ALL.join(', ')}`);
  const day = new Date().toISOString().slice(0, 10);
  const o = {
    models: models.length ? models : ALL,
    runs: Number(value('--runs', '20')),
    warmup: Number(value('--warmup', '10')),
    turns: Number(value('--turns', '5')),
    threads: Number(value('--threads', process.env.NNRT_CPU_THREADS ?? String(os.availableParallelism()))),
    out: value('--out', `bench/results/cpu-engine-${day}`),
    liftoff: argv.includes('--ort-web-liftoff'),
  };
  for (const k of ['runs', 'warmup', 'threads', 'turns'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < (k === 'warmup' ? 0 : 1)) throw new Error(`--${k} must be a whole number, got ${o[k]}`);
  }
  return o;
}

async function modelFile(name: string): Promise<string | undefined> {
  if (!SHARED.includes(name)) return makeModel(name);
  const file = join('..', 'shared', 'models', name, 'model.onnx');
  return existsSync(file) ? file : undefined;
}

const load = () => os.loadavg()[0]!.toFixed(1);

interface Measured {
  name: string;
  file: string;
  report?: ModelReport;
  /** nnrt's CPU kernels in that process (instruction set, threads), from the report. */
  cpuKernels?: { simd: string; threads: number };
  error?: string;
  loadBefore: string;
  loadAfter: string;
  seconds: number;
}

/** One bench process for one model; its JSON report. */
function benchOne(name: string, file: string, engines: string, o: Options): Measured {
  const json = `${o.out}.${name}.json`;
  const loadBefore = load();
  const t0 = Date.now();
  const args = ['--import', 'tsx', 'src/cli/main.ts', 'bench', file, '--device', 'cpu', '--engine', engines,
    '--peers', 'ort-node,ort-web-wasm', '--runs', String(o.runs), '--warmup', String(o.warmup), '--turns', String(o.turns), '--json', json, '--quiet'];
  process.stderr.write(`${name}: nnrt bench ${args.slice(4).join(' ')}  (load ${loadBefore})\n`);
  const r = spawnSync(process.execPath, args, { env: { ...process.env, NNRT_CPU_THREADS: String(o.threads), NNRT_ORT_WEB_LIFTOFF: o.liftoff ? '1' : '0' }, stdio: ['ignore', 'inherit', 'inherit'] });
  const m: Measured = { name, file, loadBefore, loadAfter: load(), seconds: (Date.now() - t0) / 1000 };
  if (!existsSync(json)) return { ...m, error: `nnrt bench exited with ${r.status ?? r.signal} and wrote no report` };
  const report = JSON.parse(readFileSync(json, 'utf8')) as BenchReport;
  return { ...m, report: report.models[0]!, ...(report.hardware.cpuKernels ? { cpuKernels: report.hardware.cpuKernels } : {}) };
}

const ms = (row: BenchRow | undefined) => (row?.status === 'ok' && row.timing ? row.timing.median : undefined);

function cell(row: BenchRow | undefined): string {
  if (!row) return '—';
  if (row.status !== 'ok' || !row.timing) return `n/a (${(row.reason ?? '').slice(0, 60)})`;
  const flag = row.agree === false ? ' ✗' : '';
  return `${row.timing.median.toFixed(1)} (${row.timing.min.toFixed(1)})${flag}`;
}

/** "2.1× slower" / "1.3× faster": how `ours` compares with `peer`. */
function ratio(ours: number | undefined, peer: number | undefined): string {
  if (ours === undefined || peer === undefined) return '—';
  return ours >= peer ? `${(ours / peer).toFixed(2)}× slower` : `${(peer / ours).toFixed(2)}× faster`;
}

function table(results: Measured[], engineAvailable: boolean): string[] {
  const lines = [
    '| model | inputs | nnrt framework | nnrt CPU engine | ort-web wasm | ort-node | engine vs ort-web | engine vs ort-node | load 1-min (before → after) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const m of results) {
    if (!m.report) {
      lines.push(`| ${m.name} | — | ${m.error} | | | | | | ${m.loadBefore} → ${m.loadAfter} |`);
      continue;
    }
    const rows = m.report.rows;
    const framework = rows.find((r) => r.kind === 'nnrt' && r.engine === 'none');
    const engine = rows.find((r) => r.kind === 'nnrt' && r.engine !== 'none');
    const web = rows.find((r) => r.id === 'ort-web-wasm');
    const node = rows.find((r) => r.id === 'ort-node');
    const ours = ms(engine) ?? ms(framework);
    const mark = ms(engine) === undefined ? ' †' : '';
    const inputs = m.report.inputs.map((i) => `${i.name} [${i.shape.join(',')}]`).join(', ');
    lines.push(`| ${m.name} | ${inputs} | ${cell(framework)} | ${engineAvailable ? cell(engine) : '—'} | ${cell(web)} | ${cell(node)} | ${ratio(ours, ms(web))}${mark} | ${ratio(ours, ms(node))}${mark} | ${m.loadBefore} → ${m.loadAfter} |`);
  }
  return lines;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const engineAvailable = (ENGINES as readonly string[]).includes('cpu');
  const engines = engineAvailable ? 'none,cpu' : 'none';
  mkdirSync(dirname(o.out), { recursive: true });
  const started = new Date().toISOString();
  const results: Measured[] = [];
  for (const name of o.models) {
    const file = await modelFile(name);
    if (!file) {
      process.stderr.write(`${name}: ../shared/models/${name} is missing; left out\n`);
      continue;
    }
    results.push(benchOne(name, file, engines, o));
  }
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const simd = [...new Set(results.map((r) => r.cpuKernels?.simd).filter((x) => x))].join(', ');
  const md = [
    `# CPU engine benchmark — ${started.slice(0, 10)}`,
    '',
    `Machine: ${cpu}, ${os.availableParallelism()} cores as Node reports them, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.arch()}, Node ${process.version}.${simd ? ` nnrt's CPU kernels: ${simd} (NNRT_CPU_RELAXED_SIMD=0 for the plain SIMD build).` : ''}`,
    `Started ${started}; ${o.threads} thread(s) for every runtime (NNRT_CPU_THREADS=${o.threads}: nnrt's kernels, onnxruntime-node intraOpNumThreads, onnxruntime-web numThreads); ${o.runs} timed runs after ${o.warmup} warm-up runs per row, end to end (host tensors in and out); onnxruntime-web on ${o.liftoff ? "V8's baseline compiler only (--liftoff-only)" : "V8's optimizing wasm tier (NNRT_ORT_WEB_LIFTOFF=0)"}.`,
    `Rows: \`nnrt bench MODEL --device cpu --engine ${engines} --peers ort-node,ort-web-wasm --runs ${o.runs} --warmup ${o.warmup} --turns ${o.turns}\`, one process per model (bench/cpu-engine.ts)${o.turns > 1 ? `; the rows take turns in ${o.turns} rounds` : ''}.`,
    '',
    'Cells: median ms (min ms); ✗ marks a row whose outputs disagree with the first nnrt row. The load',
    'average is the 1-minute figure of `uptime` before and after each model: above the core count, the',
    'machine was shared while measuring and the figures are inflated and noisy (compare ratios).',
    ...(engineAvailable ? [] : ['', '† This build has no `--engine cpu` (src/runtime/session.ts ENGINES): the ratios compare the framework row.']),
    '',
    ...table(results, engineAvailable),
    '',
    `Raw reports: ${o.out}.MODEL.json.`,
  ];
  writeFileSync(`${o.out}.md`, md.join('\n') + '\n');
  process.stdout.write(md.join('\n') + `\n\nwrote ${o.out}.md\n`);
}

await main();
