// `nnrt bench`: times models on nnrt's configurations and on onnxruntime-node and onnxruntime-web,
// on the same ONNX model and inputs in the same process; prints one table per model and writes JSON
// and an SVG chart. With no flags it compares what is present here (nnrt on the CPU, on WebGPU when
// an adapter exists, with and without the engine, and the installed peers). The measuring is in
// src/bench (core); files, hardware, detection and the bar are here.
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname } from 'node:path';
import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { benchModels, runnersInModes, type BenchProgress, type ModelSource } from '../bench/bench.js';
import { benchChartSvg } from '../bench/chart.js';
import { onnxBenchModel, SEED_TABLE_MODELS, zooBenchModel, zooName } from '../bench/models.js';
import { nnrtConfigs, nnrtRunner } from '../bench/nnrt-runners.js';
import { TACTIC_SOURCES, type TacticSource } from '../engine/config.js';
import { benchTable } from '../bench/table.js';
import { layerTimesTable } from '../bench/layer-times.js';
import { DEFAULT_TIMING } from '../bench/timing.js';
import { TIMING_MODES, type BenchReport, type HardwareInfo, type Precision, type Runner, type RunnerFactory, type TimingMode } from '../bench/types.js';
import { profileBench } from './bench-profiles.js';
import { int8Calibration, listOf, PRECISIONS, profilePrecisions } from './bench-lists.js';
import { profileOptions, profilesFromFlags } from './profile-flags.js';
import { deviceCaps } from '../devices/webgpu/caps.js';
import { sharedGpuDevice } from '../devices/webgpu/device.js';
import { defaultGpu } from '../devices/webgpu/provider.js';
import { UsageError } from '../errors.js';
import { loadOnnxFile, readFileChecked, readTensorPb } from '../node/files.js';
import type { Tensor } from '../tensor/tensor.js';
import { installedPeers, peerRunner, PEERS, type PeerName } from '../node/peers.js';
import { dawnFeaturesAsked, GPU_FEATURES, gpuFeatureHint, gpuFeatureNotices, parseGpuFeatures, useDawn } from '../node/webgpu.js';
import { CPU_KERNEL_CHOICES, type CpuKernelChoice } from '../executor/program.js';
import { DEVICES, ENGINES, type DeviceName, type EngineName } from '../runtime/session.js';
import { VERSION } from '../version.js';
import { TimingCache } from '../engine/timing-cache.js';
import { engineAdapter } from './engine-flags.js';
import { vision } from '../zoo/vision.js';
import { cpuSimd } from '../cpu/kernel-binaries.js';
import { cpuThreadCount } from '../node/cpu-threads.js';

export interface BenchCliOptions {
  models?: string;
  batch?: number;
  device: string;
  cpuKernels: string;
  engine: string;
  precision: string;
  /** A list, true (--peers alone: the installed ones), false (--no-peers); unset: the installed ones. */
  peers?: string | boolean;
  mode: string;
  /** f16,subgroup-matrix: Dawn toggles that make the adapter offer these features. */
  gpuFeatures?: string;
  /** NAME=FILE.pb: a TensorProto for an input (repeatable). */
  input?: string[];
  baseline?: string;
  runs?: number;
  warmup: number;
  warmupMs: number;
  /** --steady-ms: warm up further until the runs settle, for at most this long. */
  steadyMs: number;
  seed: number;
  atol?: number;
  rtol?: number;
  json?: string | true;
  chart?: string;
  quiet?: boolean;
  /** Profile each engine row's layers after timing it. */
  layerTimes?: boolean;
  /** --turns N: rows take turns in N rounds. */
  turns?: number;
  /** --no-tactics: engine rows build with each layer's first candidate, untimed. */
  tactics?: boolean;
  /** --tactic-sources: the webgpu engine rows' kernel kinds. */
  tacticSources?: string;
  /** --no-pre-encode: webgpu rows encode each run's commands at that run. */
  preEncode?: boolean;
  /** --calibration FILE: the int8 rows' calibration cache (one model). */
  calibration?: string;
  /** --int8-float: the int8 rows' precision of the layers int8 does not take. */
  int8Float?: string;
  /** Profile flags: --min/--opt/--max, --profile, --on-new-shape; --shapes sets to time; --compare-static. */
  min?: string[];
  opt?: string[];
  max?: string[];
  profile?: string[];
  onNewShape?: 'error' | 'build';
  shapes?: string[];
  compareStatic?: boolean;
}

const TIMING_NOTES: Record<TimingMode, string> = {
  e2e: "'end to end': host inputs in, outputs read back to the host",
  resident: "'on device': inputs uploaded once before timing, outputs left on the device, each run waits for the device",
  stream: "'back to back': on device, each run submitted without waiting for it and waiting for the run before it (two in flight): a run's time is the interval between runs finishing (throughput)",
};


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

/** --input NAME=FILE.pb, read once for every model. */
function givenInputs(specs: readonly string[]): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new UsageError(`--input '${spec}' must be NAME=FILE.pb`);
    out[spec.slice(0, eq)] = readTensorPb(spec.slice(eq + 1)).tensor;
  }
  return out;
}

/** A model argument: a zoo name (exported at the bench batch) or an .onnx file. */
function modelSource(arg: string, o: BenchCliOptions, given: Record<string, Tensor>): ModelSource {
  const zoo = zooName(arg);
  if (zoo && !existsSync(arg)) return { name: zoo, load: () => zooBenchModel(zoo, o.batch ?? 1, o.seed, given) };
  if (existsSync(arg) || arg.endsWith('.onnx')) {
    const file = basename(arg).replace(/\.onnx$/i, '');
    // torchvision/backend-test folders hold 'model.onnx': name the row after the folder
    const name = file === 'model' ? basename(dirname(arg)) || file : file;
    return { name, load: () => onnxBenchModel(name, 'file', readFileChecked(arg, 'model'), { batch: o.batch, seed: o.seed, path: arg, load: () => loadOnnxFile(arg).graph, given }) };
  }
  throw new UsageError(`'${arg}' is neither a zoo model nor a file`, { hint: `zoo models: ${Object.keys(vision).join(', ')}` });
}

/**
 * Whether auto takes webgpu: nnrt's device can be created on a GPU. A fallback adapter (a CPU
 * emulation such as Mesa lavapipe) is left out with a notice: its timings say nothing about a GPU.
 */
async function webgpuPresent(quiet: boolean | undefined): Promise<boolean> {
  try {
    const a = (await sharedGpuDevice(await defaultGpu())).adapter;
    if (!a.isFallback) return true;
    if (!quiet) process.stderr.write(`notice: the WebGPU adapter is a CPU emulation (${a.description || a.vendor}): webgpu rows left out; --device cpu,webgpu includes them\n`);
  } catch {
    // no adapter: CPU rows only
  }
  return false;
}

/** 'auto' (the default) or a comma list. */
async function devicesFor(o: BenchCliOptions): Promise<DeviceName[]> {
  if (o.device !== 'auto') return listOf<DeviceName>(o.device, DEVICES, '--device');
  return (await webgpuPresent(o.quiet)) ? ['cpu', 'webgpu'] : ['cpu'];
}


async function runnersFor(o: BenchCliOptions, models: number): Promise<Runner[]> {
  const devices = await devicesFor(o);
  const engines = o.engine === 'auto' ? [...ENGINES] : listOf<EngineName>(o.engine, ENGINES, '--engine');
  const precisions = listOf<Precision>(o.precision, PRECISIONS, '--precision');
  const calibration = int8Calibration(o, precisions, models);
  const int8Float = o.int8Float as 'fp32' | 'fp16' | undefined;
  if (int8Float !== undefined && int8Float !== 'fp32' && int8Float !== 'fp16') throw new UsageError(`--int8-float '${String(int8Float)}' is not fp32 or fp16`);
  if (int8Float && !precisions.includes('int8')) throw new UsageError('--int8-float goes with an int8 row', { hint: 'add int8 to --precision' });
  const modes = listOf<TimingMode>(o.mode, TIMING_MODES, '--mode');
  const cpuKernels = listOf<CpuKernelChoice>(o.cpuKernels, CPU_KERNEL_CHOICES, '--cpu-kernels');
  const chosen = nnrtConfigs(devices, engines, precisions, cpuKernels);
  // engines beside the framework of their own device (the others are n/a rows, built never)
  const timings = o.tactics === false ? new Map() : await sharedTimingCaches(chosen.filter((c) => c.engine === c.device).map((c) => c.engine));
  const sources = o.tacticSources === undefined ? undefined : listOf<TacticSource>(o.tacticSources, TACTIC_SOURCES, '--tactic-sources');
  const configs = chosen.map((given) => {
    const c = o.preEncode === false && given.device === 'webgpu' ? { ...given, preEncode: false } : given;
    if (c.engine === 'none') return c;
    const calibrated = c.precision === 'int8' && calibration ? { ...c, calibration, ...(int8Float ? { floatPrecision: int8Float } : {}) } : c;
    const timed = o.tactics === false ? { ...calibrated, timeTactics: false } : { ...calibrated, timingCache: timings.get(c.engine) };
    return sources && c.engine === 'webgpu' ? { ...timed, tacticSources: sources } : timed;
  });
  const factories = [...configs.map(nnrtRunner), ...peerFactories(o, devices.includes('webgpu'))];
  const runners = runnersInModes(factories, modes);
  if (o.baseline !== undefined && !runners.some((r) => r.id === o.baseline)) {
    throw new UsageError(`--baseline '${o.baseline}' is not one of this run's rows`, { hint: `rows: ${runners.map((r) => r.id).join(', ')}` });
  }
  return runners;
}

/**
 * One timing cache per engine for the whole bench: a configuration's end-to-end and on-device rows
 * build the same kernels, and a layer signature timed for one model or precision is not timed
 * again for another (on a fresh GPU machine each timing compiles every candidate kernel).
 */
async function sharedTimingCaches(engines: readonly EngineName[]): Promise<Map<EngineName, TimingCache>> {
  const caches = new Map<EngineName, TimingCache>();
  for (const engine of new Set(engines)) {
    if (engine === 'none') continue;
    try {
      caches.set(engine, new TimingCache({ nnrtVersion: VERSION, adapter: await engineAdapter(engine) }));
    } catch {
      // no device for this engine: its rows say so when they are prepared
    }
  }
  return caches;
}

/** The peer runtimes asked for (--peers LIST), none (--no-peers), or those installed. */
function peerFactories(o: BenchCliOptions, webgpu: boolean): RunnerFactory[] {
  if (o.peers === false) return [];
  const peers = typeof o.peers === 'string' ? listOf<PeerName>(o.peers, PEERS, '--peers') : installedPeers(webgpu);
  return peers.map(peerRunner);
}

/** The adapter nnrt's webgpu device sits on (the shared device its sessions used), and its optional features. */
async function gpuDescription(h: HardwareInfo, notice?: (line: string) => void): Promise<void> {
  try {
    const gpu = await sharedGpuDevice(await defaultGpu());
    const a = gpu.adapter;
    const hint = gpuFeatureHint(a.vendor, dawnFeaturesAsked());
    if (hint) notice?.(hint);
    h.gpu = [a.vendor, a.architecture].filter(Boolean).join(' ') + (a.description ? ` (${a.description})` : '') + (a.isFallback ? ' [fallback adapter]' : '');
    const caps = deviceCaps(gpu);
    h.gpuFeatures = { shaderF16: caps.shaderF16, subgroupMatrix: [...caps.subgroupMatrix] };
  } catch (e) {
    h.gpu = `none (${(e as Error).message})`;
  }
}

async function hardware(usesGpu: boolean, notice?: (line: string) => void): Promise<HardwareInfo> {
  const h: HardwareInfo = {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU', cores: os.availableParallelism(), cpuKernels: { simd: cpuSimd(), threads: cpuThreadCount() },
    platform: `${os.platform()} ${os.arch()}`, node: process.version,
  };
  if (usesGpu) await gpuDescription(h, notice);
  return h;
}

/** --gpu-features: Dawn is recreated with the toggles; what the adapter still lacks is a notice, not a failure. */
async function requestGpuFeatures(list: string, quiet: boolean | undefined): Promise<void> {
  const asked = parseGpuFeatures(list);
  useDawn({ gpuFeatures: asked });
  if (quiet) return;
  try {
    for (const line of gpuFeatureNotices(asked, deviceCaps(await sharedGpuDevice(await defaultGpu())))) process.stderr.write(`notice: ${line}\n`);
  } catch (e) {
    process.stderr.write(`notice: --gpu-features: no WebGPU device (${(e as Error).message})\n`);
  }
}

const rowName = (r: Runner) => (r.mode === 'resident' ? `${r.label} (on device)` : r.mode === 'stream' ? `${r.label} (back to back)` : r.label);

/** A bar on a terminal; one line per row on a log; nothing with --quiet. */
function progressReporter(quiet: boolean | undefined): { progress: BenchProgress; stop(): void } {
  if (quiet) return { progress: {}, stop() {} };
  if (!process.stderr.isTTY) {
    return {
      progress: { rowStart: (model, runner, i, total) => process.stderr.write(`[${i + 1}/${total}] ${model} · ${rowName(runner)}\n`) },
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
        Object.assign(payload, { row: i + 1, rows: total, model, runner: rowName(runner), run: 'preparing' });
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
  if (o.gpuFeatures !== undefined) await requestGpuFeatures(o.gpuFeatures, o.quiet);
  const profiles = profilesFromFlags(o);
  if (!profiles && (o.shapes || o.compareStatic)) throw new UsageError(`${o.shapes ? '--shapes' : '--compare-static'} goes with profile flags (--min/--opt/--max or --profile)`);
  const plan = profiles ? profileBench(args, profiles, {
    ...o, precision: profilePrecisions(o), modes: listOf<TimingMode>(o.mode, TIMING_MODES, '--mode'), peers: peerFactories(o, true),
  }) : undefined;
  const given = plan ? {} : givenInputs(o.input ?? []);
  const sources = plan?.sources ?? (args.length ? args : [...SEED_TABLE_MODELS]).map((a) => modelSource(a, o, given));
  if (plan && o.turns !== undefined && o.turns > 1) throw new UsageError('--turns does not go with profile flags', { hint: 'time the profile rows without --turns' });
  const runners = plan?.runners ?? await runnersFor(o, sources.length);
  if (plan && o.baseline !== undefined && !runners.some((r) => r.id === o.baseline)) {
    throw new UsageError(`--baseline '${o.baseline}' is not one of this run's rows`, { hint: `rows: ${runners.map((r) => r.id).join(', ')}` });
  }
  const timing = { ...DEFAULT_TIMING, warmup: o.warmup, warmupMs: o.warmupMs, steadyMs: o.steadyMs, ...(o.runs !== undefined ? { runs: o.runs } : {}) };
  const tolerance = o.atol !== undefined || o.rtol !== undefined ? { atol: o.atol ?? 1e-3, rtol: o.rtol ?? 1e-3 } : undefined;
  const date = new Date().toISOString();
  const reporter = progressReporter(o.quiet);
  let models;
  try {
    models = await benchModels(sources, runners, { timing, progress: reporter.progress, ...(o.baseline ? { baseline: o.baseline } : {}), ...(tolerance ? { tolerance } : {}), layerTimes: o.layerTimes === true, ...(o.turns !== undefined && o.turns > 1 ? { turns: o.turns } : {}) });
    plan?.finish(models);
  } finally {
    reporter.stop();
    plan?.close();
  }
  const modes = TIMING_MODES.filter((m) => runners.some((r) => r.mode === m));
  const report: BenchReport = {
    tool: 'nnrt bench',
    nnrt: VERSION,
    date,
    hardware: await hardware(runners.some((r) => r.device === 'webgpu'), o.quiet ? undefined : (line) => process.stderr.write(`notice: ${line}\n`)),
    settings: {
      warmup: timing.warmup, warmupMs: timing.warmupMs, ...(timing.steadyMs ? { steadyMs: timing.steadyMs } : {}), runs: o.runs ?? 'auto', targetMsPerRow: timing.targetMs, seed: o.seed, ...(o.turns !== undefined && o.turns > 1 ? { turns: o.turns } : {}),
      modes, timing: modes.map((m) => TIMING_NOTES[m]).join('; '), ...(o.batch !== undefined ? { batch: o.batch } : {}),
      ...(profiles && plan ? { profiles, shapes: plan.shapes } : {}),
    },
    models,
  };
  if (o.json === true) out(JSON.stringify(report, null, 2));
  else [...benchTable(report), ...layerTimesTable(report)].forEach((l) => out(l));
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
  return profileOptions(program
    .command('bench [models...]'))
    .description('time models (zoo names or .onnx files; default the seed table) on nnrt and onnxruntime; one table per model, JSON, SVG chart')
    .option('--models <list>', 'comma-separated zoo names or .onnx files (added to MODELS)')
    .option('--batch <n>', 'batch size (zoo models, and files with a dynamic batch; default 1)', integer(1))
    .option('--device <list>', `where the framework runs: ${DEVICES.join(', ')}, a comma list, or auto (cpu, and webgpu when a GPU adapter exists; not a CPU-emulated one)`, 'auto')
    .option('--cpu-kernels <list>', 'device cpu: fast (WebAssembly SIMD), reference (plain TypeScript), or fast,reference (a row each)', 'fast')
    .option('--engine <list>', `${ENGINES.join(', ')}, a comma list, or auto (all; each engine runs beside the framework of its own device: webgpu on webgpu, cpu on cpu)`, 'auto')
    .option('--precision <list>', 'fp32, fp16, int8 (the engine\'s; int8 with --calibration), or a list such as fp32,fp16,int8', 'fp32')
    .option('--calibration <file>', 'int8 rows: the calibration cache (TensorRT text, from nnrt calibrate) of the one model timed')
    .option('--int8-float <p>', "int8 rows: the precision of the layers int8 does not take, fp32 (default) or fp16 (TensorRT's --int8 --fp16; the row reads int8+fp16)")
    .option('--peers [list]', `peer runtimes: ${PEERS.join(', ')} (default: those installed; ort-web-webgpu when a webgpu row runs)`)
    .option('--no-peers', 'nnrt rows only')
    .option('--mode <list>', "e2e (end to end), resident (on device: inputs uploaded once, outputs left there; webgpu rows), stream (on device, runs back to back: throughput; nnrt webgpu rows), or a list", 'e2e,resident')
    .option('--baseline <row>', "also compare every row with this row id (a 'vs ROW' column: faster/slower)")
    .option('--runs <n>', 'timed runs per row (default: enough for ~3 s, 5 to 500)', integer(1))
    .option('--warmup <n>', 'untimed runs before timing', integer(0), DEFAULT_TIMING.warmup)
    .option('--steady-ms <ms>', 'after the warm-up, keep warming up (at most this long) until two windows of runs (10 runs and 250 ms each) agree within 3%: a GPU that raises its clocks in steps is timed where it settles (0: off)', integer(0), 0)
    .option('--warmup-ms <ms>', 'warm-up goes on until this long has passed (a GPU raises its clocks only under sustained load; 0: the run count alone)', integer(0), DEFAULT_TIMING.warmupMs)
    .option('--turns <n>', 'rows take turns: all prepared and warmed up, then N rounds each give every row 1/N of its timed runs (a shared machine\'s slow spell then falls on every row alike; all rows held in memory at once)', integer(1))
    .option('--seed <n>', 'seed of the inputs and of zoo weights', integer(0), 1)
    .option('--gpu-features <list>', `ask Dawn for optional features: ${GPU_FEATURES.join(', ')} (also NNRT_GPU_FEATURES); a notice where the adapter lacks one`)
    .option('--input <name=file.pb>', 'a TensorProto for input NAME instead of seeded values (repeat for several; every model benched must have NAME)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--atol <a>', 'agreement: absolute tolerance (default 1e-3; fp16 rows 3e-2)', nonNegative)
    .option('--rtol <r>', 'agreement: relative tolerance (default 1e-3; fp16 rows 3e-2)', nonNegative)
    .addOption(new Option('--json [file]', 'write the results as JSON to FILE (no FILE: print JSON instead of the table)'))
    .option('--chart <file.svg>', 'write an SVG bar chart of median latencies')
    .option('--layer-times', 'engine rows: time each engine layer after the row (webgpu: GPU timestamps, else wall clock per layer; cpu: wall clock per layer) and print the 25 slowest with their share, the sum and the whole engine time (in JSON: layerTimes)')
    .option('--shapes <set>', "profile flags: a set of input shapes to time, e.g. input=7x3x224x224 or 'ids=1x128,mask=1x128' (repeat for several; default every profile's min, opt and max)", (v: string, prev: string[] = []) => [...prev, v])
    .option('--compare-static', 'profile flags: also time, at each --shapes, an engine built at that very shape, and show the ratio (vs static)')
    .option('--no-tactics', 'engine rows: build with each layer\'s first candidate instead of timing tactics (fast builds on a software adapter)')
    .option('--tactic-sources <list>', `webgpu engine rows: kernel kinds layers may choose from, of ${TACTIC_SOURCES.join(', ')} (default: all the device has)`)
    .option('--no-pre-encode', 'webgpu rows: encode each run\'s commands at that run instead of during the run before (to see what pre-encoding saves)')
    .option('-q, --quiet', 'no progress bar or notes')
    .addHelpText('after', [
      '', 'Examples:',
      '  $ nnrt bench                                    # the seed table on everything present here',
      '  $ nnrt bench resnet18_v2 --batch 8 --device cpu --peers ort-node --runs 20',
      '  $ nnrt bench model.onnx --cpu-kernels fast,reference --no-peers',
      '  $ nnrt bench model.onnx --device webgpu --precision fp32,fp16 --mode resident --json out.json --chart out.svg',
      '  $ nnrt bench model.onnx --device webgpu --engine webgpu --no-peers --mode resident --layer-times',
      '  $ nnrt bench resnet50.onnx --min data=1x3x224x224 --opt data=16x3x224x224 --max data=32x3x224x224 --shapes data=1x3x224x224 --shapes data=16x3x224x224 --compare-static --no-peers',
    ].join('\n'))
    .action(async (models: string[], o: BenchCliOptions) => {
      setExit(await bench(models, o, out));
    });
}
