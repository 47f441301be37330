// `nnrt bench`: times models on nnrt's configurations and, with --peers, on onnxruntime-node and
// onnxruntime-web, on the same ONNX model and inputs in the same process; prints a table and writes
// JSON and an SVG chart. The measuring is in src/bench (core); files, hardware and the bar are here.
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname } from 'node:path';
import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { benchModels, type BenchProgress, type ModelSource } from '../bench/bench.js';
import { benchChartSvg } from '../bench/chart.js';
import { onnxBenchModel, SEED_TABLE_MODELS, zooBenchModel, zooName } from '../bench/models.js';
import { nnrtConfigs, nnrtRunner } from '../bench/nnrt-runners.js';
import { benchTable } from '../bench/table.js';
import { DEFAULT_TIMING } from '../bench/timing.js';
import type { BenchReport, HardwareInfo, Precision, Runner } from '../bench/types.js';
import { sharedGpuDevice } from '../devices/webgpu/device.js';
import { defaultGpu } from '../devices/webgpu/provider.js';
import { UsageError } from '../errors.js';
import { loadOnnxFile, readFileChecked } from '../node/files.js';
import { defaultPeers, peerRunner, PEERS, type PeerName } from '../node/peers.js';
import { CPU_KERNEL_CHOICES, type CpuKernelChoice } from '../executor/program.js';
import { DEVICES, ENGINES, type DeviceName, type EngineName } from '../runtime/session.js';
import { VERSION } from '../version.js';
import { vision } from '../zoo/vision.js';

export interface BenchCliOptions {
  models?: string;
  batch?: number;
  device: string;
  cpuKernels: string;
  engine: string;
  precision: string;
  peers?: string | true;
  baseline?: string;
  runs?: number;
  warmup: number;
  seed: number;
  atol?: number;
  rtol?: number;
  json?: string | true;
  chart?: string;
  quiet?: boolean;
}

const PRECISIONS = ['fp32', 'fp16'] as const;
const TIMING_NOTE = 'each run timed end to end: inputs handed over, outputs read back to the host';

/** A comma list checked against the allowed words ('cpu,webgpu'). */
function listOf<T extends string>(value: string, allowed: readonly T[], option: string): T[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const it of items) {
    if (!(allowed as readonly string[]).includes(it)) throw new UsageError(`${option} '${it}' is not one of ${allowed.join(', ')}`);
  }
  if (items.length === 0) throw new UsageError(`${option} needs at least one of ${allowed.join(', ')}`);
  return [...new Set(items)] as T[];
}

const integer = (min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be an integer ≥ ${min}`);
  return n;
};
const nonNegative = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a non-negative number');
  return n;
};

/** A model argument: a zoo name (exported at the bench batch) or an .onnx file. */
function modelSource(arg: string, o: BenchCliOptions): ModelSource {
  const zoo = zooName(arg);
  if (zoo && !existsSync(arg)) return { name: zoo, load: () => zooBenchModel(zoo, o.batch ?? 1, o.seed) };
  if (existsSync(arg) || arg.endsWith('.onnx')) {
    const file = basename(arg).replace(/\.onnx$/i, '');
    // torchvision/backend-test folders hold 'model.onnx': name the row after the folder
    const name = file === 'model' ? basename(dirname(arg)) || file : file;
    return { name, load: () => onnxBenchModel(name, 'file', readFileChecked(arg, 'model'), { batch: o.batch, seed: o.seed, path: arg, load: () => loadOnnxFile(arg).graph }) };
  }
  throw new UsageError(`'${arg}' is neither a zoo model nor a file`, { hint: `zoo models: ${Object.keys(vision).join(', ')}` });
}

function runnersFor(o: BenchCliOptions): Runner[] {
  const devices = listOf<DeviceName>(o.device, DEVICES, '--device');
  const engines = listOf<EngineName>(o.engine, ENGINES, '--engine');
  const precisions = listOf<Precision>(o.precision, PRECISIONS, '--precision');
  const cpuKernels = listOf<CpuKernelChoice>(o.cpuKernels, CPU_KERNEL_CHOICES, '--cpu-kernels');
  const runners = nnrtConfigs(devices, engines, precisions, cpuKernels).map(nnrtRunner);
  if (o.peers !== undefined) {
    const peers = o.peers === true ? defaultPeers(devices.includes('webgpu')) : listOf<PeerName>(o.peers, PEERS, '--peers');
    runners.push(...peers.map(peerRunner));
  }
  if (o.baseline !== undefined && !runners.some((r) => r.id === o.baseline)) {
    throw new UsageError(`--baseline '${o.baseline}' is not one of this run's rows`, { hint: `rows: ${runners.map((r) => r.id).join(', ')}` });
  }
  return runners;
}

/** The adapter nnrt's webgpu device sits on (the shared device its sessions used). */
async function gpuDescription(): Promise<string> {
  try {
    const a = (await sharedGpuDevice(await defaultGpu())).adapter;
    return [a.vendor, a.architecture].filter(Boolean).join(' ') + (a.description ? ` (${a.description})` : '') + (a.isFallback ? ' [fallback adapter]' : '');
  } catch (e) {
    return `none (${(e as Error).message})`;
  }
}

async function hardware(usesGpu: boolean): Promise<HardwareInfo> {
  const h: HardwareInfo = { cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU', cores: os.availableParallelism(), platform: `${os.platform()} ${os.arch()}`, node: process.version };
  if (usesGpu) h.gpu = await gpuDescription();
  return h;
}

/** A bar on a terminal; one line per row on a log; nothing with --quiet. */
function progressReporter(quiet: boolean | undefined): { progress: BenchProgress; stop(): void } {
  if (quiet) return { progress: {}, stop() {} };
  if (!process.stderr.isTTY) {
    return {
      progress: { rowStart: (model, runner, i, total) => process.stderr.write(`[${i + 1}/${total}] ${model} · ${runner.label}\n`) },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar({
    format: '{bar} {percentage}% | row {row}/{rows} {model} · {runner} | run {run}',
    hideCursor: true, clearOnComplete: true, stream: process.stderr,
  }, cliProgress.Presets.shades_classic);
  let row = 0;
  let started = false;
  const payload = { row: 0, rows: 0, model: '', runner: '', run: '' };
  return {
    progress: {
      loading(model) {
        payload.model = model;
        payload.runner = 'loading';
        payload.run = '';
        if (started) bar.update(payload);
      },
      rowStart(model, runner, i, total) {
        row = i;
        Object.assign(payload, { row: i + 1, rows: total, model, runner: runner.label, run: 'preparing' });
        if (!started) {
          bar.start(total, i, payload);
          started = true;
        } else bar.update(i, payload);
      },
      run(done, planned) {
        payload.run = `${done}/${planned}`;
        bar.update(row + done / planned, payload);
      },
    },
    stop: () => started && bar.stop(),
  };
}

/** Runs the bench; exit 0 when every row that ran agrees with the reference, 1 otherwise. */
export async function bench(modelArgs: string[], o: BenchCliOptions, out: (line: string) => void): Promise<number> {
  const args = [...modelArgs, ...(o.models ? o.models.split(',').map((s) => s.trim()).filter(Boolean) : [])];
  const sources = (args.length ? args : [...SEED_TABLE_MODELS]).map((a) => modelSource(a, o));
  const runners = runnersFor(o);
  const timing = { ...DEFAULT_TIMING, warmup: o.warmup, ...(o.runs !== undefined ? { runs: o.runs } : {}) };
  const tolerance = o.atol !== undefined || o.rtol !== undefined ? { atol: o.atol ?? 1e-3, rtol: o.rtol ?? 1e-3 } : undefined;
  const date = new Date().toISOString();
  const reporter = progressReporter(o.quiet);
  let models;
  try {
    models = await benchModels(sources, runners, { timing, progress: reporter.progress, ...(o.baseline ? { baseline: o.baseline } : {}), ...(tolerance ? { tolerance } : {}) });
  } finally {
    reporter.stop();
  }
  const report: BenchReport = {
    tool: 'nnrt bench',
    nnrt: VERSION,
    date,
    hardware: await hardware(runners.some((r) => r.device === 'webgpu')),
    settings: { warmup: timing.warmup, runs: o.runs ?? 'auto', targetMsPerRow: timing.targetMs, seed: o.seed, timing: TIMING_NOTE, ...(o.batch !== undefined ? { batch: o.batch } : {}) },
    models,
  };
  if (o.json === true) out(JSON.stringify(report, null, 2));
  else benchTable(report).forEach((l) => out(l));
  if (typeof o.json === 'string') {
    writeFileSync(o.json, JSON.stringify(report, null, 2) + '\n');
    if (!o.quiet) out(`wrote ${o.json}`);
  }
  if (o.chart) {
    writeFileSync(o.chart, benchChartSvg(report));
    if (!o.quiet) out(`wrote ${o.chart}`);
  }
  const rows = models.flatMap((m) => m.rows);
  return rows.some((r) => r.status === 'ok') && rows.every((r) => r.status !== 'ok' || r.agree !== false) ? 0 : 1;
}

/** Adds the `bench` verb to the program. */
export function addBenchCommand(program: Command, setExit: (code: number) => void, out: (line: string) => void): Command {
  return program
    .command('bench [models...]')
    .description('time models (zoo names or .onnx files; default the seed table) on nnrt and, with --peers, onnxruntime; table, JSON, SVG chart')
    .option('--models <list>', 'comma-separated zoo names or .onnx files (added to MODELS)')
    .option('--batch <n>', 'batch size (zoo models, and files with a dynamic batch; default 1)', integer(1))
    .option('--device <list>', `where the framework runs: ${DEVICES.join(', ')}, or a comma list`, 'cpu')
    .option('--cpu-kernels <list>', 'device cpu: fast (WebAssembly SIMD), reference (plain TypeScript), or fast,reference (a row each)', 'fast')
    .option('--engine <list>', `${ENGINES.join(', ')}, or a comma list`, 'none')
    .option('--precision <list>', 'fp32, fp16 (the engine\'s), or fp32,fp16', 'fp32')
    .option('--peers [list]', `add peer runtimes: ${PEERS.join(', ')} (default: ort-node, ort-web-wasm, and ort-web-webgpu when --device has webgpu)`)
    .option('--baseline <runner>', 'row id the vs base column compares with (default: the first nnrt row)')
    .option('--runs <n>', 'timed runs per row (default: enough for ~3 s, 5 to 500)', integer(1))
    .option('--warmup <n>', 'untimed runs before timing', integer(0), DEFAULT_TIMING.warmup)
    .option('--seed <n>', 'seed of the inputs and of zoo weights', integer(0), 1)
    .option('--atol <a>', 'agreement: absolute tolerance (default 1e-3; fp16 rows 3e-2)', nonNegative)
    .option('--rtol <r>', 'agreement: relative tolerance (default 1e-3; fp16 rows 3e-2)', nonNegative)
    .addOption(new Option('--json [file]', 'write the results as JSON to FILE (no FILE: print JSON instead of the table)'))
    .option('--chart <file.svg>', 'write an SVG bar chart of median latencies')
    .option('-q, --quiet', 'no progress bar or notes')
    .addHelpText('after', [
      '', 'Examples:',
      '  $ nnrt bench                                    # the seed table on the CPU',
      '  $ nnrt bench resnet18_v2 --batch 8 --peers ort-node --runs 20',
      '  $ nnrt bench model.onnx --cpu-kernels fast,reference --peers ort-node',
      '  $ nnrt bench model.onnx --device webgpu --engine none,webgpu --precision fp32,fp16 --peers --json out.json --chart out.svg',
    ].join('\n'))
    .action(async (models: string[], o: BenchCliOptions) => {
      setExit(await bench(models, o, out));
    });
}
