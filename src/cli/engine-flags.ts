// The engine's command-line options, shared by build, verify, run, conformance and bench, and
// their translation into session options: plan cache directory, timing cache file, log, progress.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { sharedGpuDevice } from '../devices/webgpu/device.js';
import { defaultGpu } from '../devices/webgpu/provider.js';
import { PRECISIONS, TACTIC_SOURCES, type Precision, type TacticSource } from '../engine/config.js';
import type { TimingCache } from '../engine/timing-cache.js';
import type { AdapterIdentity } from '../engine/plan-format.js';
import { EngineCache } from '../node/engine-cache.js';
import { loadTimingCache, saveTimingCache } from '../node/timing-cache-file.js';
import { dawnFeaturesAsked, gpuFeatureHint } from '../node/webgpu.js';
import '../node/memory-default.js';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../errors.js';
import { parseByteSize } from '../executor/memory-budget.js';
import type { SessionOptions } from '../runtime/session.js';
import { VERSION } from '../version.js';
import { buildProgressBar } from './build-progress.js';
import { cpuAdapter } from '../engine/cpu/engine.js';
import { cpuEngineHasWasm } from '../engine/cpu/memory.js';

export interface EngineFlags {
  precision?: Precision | 'int8';
  /** build, verify: the calibration cache file of an int8 build. */
  calibration?: string;
  /** build, verify: per-layer precision, layer (or IR node) name → fp32|fp16. */
  layerPrecision?: Record<string, Precision>;
  /** build, verify: --int8-float, the precision of the layers an int8 build leaves float. */
  int8Float?: Precision;
  minSubgraphSize?: number;
  excludeOps?: string[];
  excludeNodes?: string[];
  cacheDir?: string;
  timingCache?: string;
  tactics?: boolean;
  tacticSources?: readonly TacticSource[];
  verbose?: boolean;
  quiet?: boolean;
  maxMemory?: number;
}

/** Path flags checked before any work: a build must not be lost to a path found bad at the end. */
export function checkEnginePaths(flags: Pick<EngineFlags, 'cacheDir' | 'timingCache'>): void {
  if (flags.cacheDir !== undefined && statSync(flags.cacheDir, { throwIfNoEntry: false })?.isDirectory() === false) {
    throw new UsageError(`--cache-dir '${flags.cacheDir}' is a file, not a folder`, { hint: 'give a folder (it is created if missing)' });
  }
  if (flags.timingCache !== undefined) {
    if (statSync(flags.timingCache, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UsageError(`--timing-cache '${flags.timingCache}' is a directory, not a file`, { hint: 'give a file path, e.g. timing.cache' });
    }
    const parent = statSync(dirname(flags.timingCache), { throwIfNoEntry: false });
    if (parent && !parent.isDirectory()) throw new UsageError(`--timing-cache '${flags.timingCache}': '${dirname(flags.timingCache)}' is not a folder`);
  }
}

function byteSize(v: string): number {
  try {
    return parseByteSize(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

/** --max-memory SIZE: the session memory budget (run, verify, bench, conformance). */
export const maxMemoryOption = () => new Option('--max-memory <size>', 'most memory a run may hold in tensors, e.g. 2G (default: half the machine\'s memory)').argParser(byteSize);

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be an integer ≥ 1');
  return n;
}

/** `--layer-precision conv1=fp32,fc=fp16`: layer (or IR node) name → precision. */
function layerPrecisions(v: string): Record<string, Precision> {
  const out: Record<string, Precision> = {};
  for (const item of list(v)) {
    const cut = item.lastIndexOf('=');
    const p = item.slice(cut + 1);
    if (cut <= 0 || !(PRECISIONS as readonly string[]).includes(p)) throw new InvalidArgumentError(`'${item}' is not NAME=${PRECISIONS.join('|')}`);
    out[item.slice(0, cut)] = p as Precision;
  }
  return out;
}

/** `--tactic-sources subgroup-matrix` (or simt,subgroup-matrix): the webgpu engine's kernel kinds. */
function tacticSources(v: string): TacticSource[] {
  const items = list(v);
  const bad = items.find((s) => !(TACTIC_SOURCES as readonly string[]).includes(s));
  if (bad !== undefined || items.length === 0) throw new InvalidArgumentError(`'${bad ?? v}' is not a list of ${TACTIC_SOURCES.join(', ')}`);
  return [...new Set(items)] as TacticSource[];
}

/** Adds the engine options to a command; `int8` (nnrt build, verify) adds int8 precision, its calibration cache and per-layer pins. */
export function engineOptions(cmd: Command, { partition = true, int8 = false } = {}): Command {
  cmd
    .addOption(new Option('--precision <p>', 'engine storage precision').choices(int8 ? [...PRECISIONS, 'int8'] : PRECISIONS))
    .option('--timing-cache <file>', 'read and update tactic timings in FILE')
    .option('--no-tactics', 'do not time tactics: take each layer\'s first candidate')
    .option('--tactic-sources <list>', `webgpu engine: kernel kinds layers may choose from, of ${TACTIC_SOURCES.join(', ')} (default: all the device has; a layer with none of them keeps its own)`, tacticSources)
    .option('--cache-dir <dir>', 'keep built engine plans in DIR and load them next time')
    .option('--verbose', 'print the engine build log: fusions, tactic per layer and its time')
    .option('--quiet', 'no progress bar')
    .addOption(maxMemoryOption());
  if (int8) {
    cmd
      .option('--calibration <file>', 'int8: the calibration cache (TensorRT text, from nnrt calibrate)')
      .option('--layer-precision <list>', 'pin layers (IR node names) to a float precision, e.g. conv1=fp32,fc=fp16', layerPrecisions)
      .addOption(new Option('--int8-float <p>', "int8: the precision of the layers int8 does not take (default fp32; fp16 as TensorRT's --int8 --fp16)").choices(PRECISIONS));
  }
  if (partition) {
    cmd
      .option('--min-subgraph-size <n>', 'smallest subgraph handed to the engine (default 3)', positiveInt)
      .option('--exclude-ops <ops>', 'op types forced to run in the framework, e.g. Relu,Add', list)
      .option('--exclude-nodes <names>', 'node names forced to run in the framework', list);
  }
  return cmd;
}

/** What an engine's tactic timings belong to: a cpu engine's to the CPU (and whether WebAssembly SIMD is there), a webgpu engine's to the GPU adapter. */
export async function engineAdapter(backend: 'webgpu' | 'cpu'): Promise<AdapterIdentity> {
  return backend === 'cpu' ? cpuAdapter(cpuEngineHasWasm()) : (await sharedGpuDevice(await defaultGpu())).adapter;
}

export interface EngineSessionSetup {
  options: Partial<SessionOptions>;
  /** Saves the timing cache (when one was given) and stops the progress bar. */
  finish(): void;
}

/** Session options for the engine flags; `err` receives notices and the verbose log. */
export async function engineSessionOptions(flags: EngineFlags, err: (line: string) => void, backend: 'webgpu' | 'cpu' = 'webgpu'): Promise<EngineSessionSetup> {
  checkEnginePaths(flags);
  const bar = buildProgressBar(flags.quiet);
  let timingCache: TimingCache | undefined;
  if (flags.timingCache) {
    const loaded = loadTimingCache(flags.timingCache, { nnrtVersion: VERSION, adapter: await engineAdapter(backend) });
    if (loaded.warning) err(`nnrt: ${loaded.warning}`);
    timingCache = loaded.cache;
  }
  if (backend === 'webgpu' && !flags.quiet) {
    // the device the session will use (shared): on NVIDIA, say what f16 and tensor cores need
    const vendor = await sharedGpuDevice(await defaultGpu()).then((g) => g.adapter.vendor, () => undefined);
    const hint = vendor === undefined ? undefined : gpuFeatureHint(vendor, dawnFeaturesAsked(), 'environment');
    if (hint) err(`nnrt: ${hint}`);
  }
  const options: Partial<SessionOptions> = {
    precision: flags.precision,
    ...(flags.layerPrecision ? { layerPrecision: flags.layerPrecision } : {}),
    ...(flags.int8Float ? { floatPrecision: flags.int8Float } : {}),
    timeTactics: flags.tactics,
    ...(flags.tacticSources ? { tacticSources: flags.tacticSources } : {}),
    timingCache,
    planStore: flags.cacheDir ? new EngineCache(flags.cacheDir) : undefined,
    minSubgraphSize: flags.minSubgraphSize,
    excludeOps: flags.excludeOps,
    excludeNodes: flags.excludeNodes,
    ...(flags.maxMemory !== undefined ? { maxMemory: flags.maxMemory } : {}),
    log: flags.verbose ? (line) => err(line) : undefined,
    notice: (line) => err(`nnrt: ${line}`),
    progress: (p) => bar.update(p),
  };
  return {
    options,
    finish() {
      bar.stop();
      if (flags.timingCache && timingCache) saveTimingCache(flags.timingCache, timingCache);
    },
  };
}
