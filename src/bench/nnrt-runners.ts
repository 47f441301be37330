// nnrt's configurations as bench runners: device (cpu | webgpu) × engine (none | webgpu) × precision,
// each timed end to end and, on webgpu, resident (inputs uploaded once, outputs left on the device).
import type { TimingCache } from '../engine/timing-cache.js';
import { UnsupportedError, UsageError } from '../errors.js';
import { calibrationFor } from '../runtime/calibrate.js';
import type { CpuKernelChoice } from '../executor/program.js';
import { createSession, type DeviceName, type EngineName, type SessionOptions } from '../runtime/session.js';
import type { Precision, Runner, RunnerFactory, TimingMode } from './types.js';

export interface NnrtConfig {
  device: DeviceName;
  engine: EngineName;
  precision: Precision;
  /** The CPU kernels (default fast); a row of its own only where the framework runs on the CPU. */
  cpuKernels?: CpuKernelChoice;
  /** Engine rows: false builds with each layer's first candidate, untimed (`--no-tactics`). */
  timeTactics?: boolean;
  /** webgpu engine rows: the kernel kinds layers may choose from (`--tactic-sources`; default all). */
  tacticSources?: SessionOptions['tacticSources'];
  /** webgpu rows: false encodes each run's commands at that run (`--no-pre-encode`; SessionOptions.preEncode). */
  preEncode?: boolean;
  /** Engine rows: tactic timings shared with the other rows of this engine (their builds time each layer signature once). */
  timingCache?: TimingCache;
  /** int8 rows: the calibration cache's text (TensorRT format, from nnrt calibrate) and where it came from. */
  calibration?: { text: string; source: string };
  /** int8 rows: the precision of the layers int8 does not take (`--int8-float`; default fp32). */
  floatPrecision?: Exclude<Precision, 'int8'>;
}

/**
 * The requested combinations, in the order asked, less those that mean nothing: fp16 without an
 * engine (the framework computes in fp32) and the webgpu engine on device cpu (it runs beside the
 * framework on webgpu). When nothing else is left they are kept, to show as n/a rows that say why.
 */
export function nnrtConfigs(
  devices: readonly DeviceName[], engines: readonly EngineName[], precisions: readonly Precision[],
  cpuKernels: readonly CpuKernelChoice[] = ['fast'],
): NnrtConfig[] {
  const all: NnrtConfig[] = [];
  for (const device of devices) {
    for (const engine of engines) {
      for (const precision of precisions) {
        if (device === 'cpu' && engine === 'none') for (const k of cpuKernels) all.push({ device, engine, precision, cpuKernels: k });
        else all.push({ device, engine, precision });
      }
    }
  }
  // an engine runs beside the framework of its own device (webgpu on webgpu, cpu on cpu); it alone has fp16
  const meaningful = all.filter((c) => (c.engine === 'none' || c.engine === c.device) && (c.engine === 'webgpu' || c.precision === 'fp32'));
  return meaningful.length ? meaningful : all;
}

export function nnrtRunnerId(c: NnrtConfig): string {
  const precision = c.precision === 'int8' && c.floatPrecision === 'fp16' ? 'int8+fp16' : c.precision;
  return ['nnrt', c.device, ...(c.engine !== 'none' ? ['engine'] : []), ...(precision !== 'fp32' ? [precision] : []),
    ...(c.cpuKernels === 'reference' ? ['reference'] : [])].join('-');
}

/** The modes a configuration can be timed in: on the CPU tensors are in host memory already, so e2e only. */
export function nnrtModes(c: NnrtConfig): TimingMode[] {
  return c.device === 'webgpu' ? ['e2e', 'resident', 'stream'] : ['e2e'];
}

const MODE_IDS: Record<TimingMode, string> = { e2e: '', resident: '-resident', stream: '-stream' };

/** nnrt in one configuration, as a runner of each timing mode. */
export function nnrtRunner(c: NnrtConfig): RunnerFactory {
  const engine = c.engine === 'none' ? '' : c.engine === c.device ? '+engine' : `+${c.engine} engine`;
  const kernels = c.cpuKernels === 'reference' ? ' (reference kernels)' : '';
  const precision = c.precision === 'int8' && c.floatPrecision === 'fp16' ? 'int8+fp16' : c.precision;
  const label = `nnrt ${c.device}${engine}${precision !== 'fp32' ? ` ${precision}` : ''}${kernels}`;
  const modes = nnrtModes(c);
  return {
    modes,
    runner: (mode): Runner => ({
      id: nnrtRunnerId(c) + MODE_IDS[mode], label, kind: 'nnrt', device: c.device, engine: c.engine, precision: c.precision, mode,
      async prepare(model) {
        if (c.engine === 'none' && c.precision !== 'fp32') {
          throw new UnsupportedError(`the framework computes in fp32; ${c.precision} needs the optimizing engine`, { hint: 'add --device webgpu --engine webgpu' });
        }
        if (!modes.includes(mode)) throw new UnsupportedError(`device ${c.device} keeps tensors in host memory: its end-to-end row is the ${mode} one`);
        const opts: SessionOptions = { device: c.device, engine: c.engine, cpuKernels: c.cpuKernels ?? 'fast', ...(c.preEncode === false ? { preEncode: false } : {}) };
        const graph = model.loadGraph();
        if (c.engine !== 'none') {
          opts.precision = c.precision;
          if (c.precision === 'int8') {
            if (!c.calibration) throw new UsageError('int8 rows need a calibration cache', { hint: 'add --calibration FILE (from nnrt calibrate MODEL)' });
            // checked against this model before any build: another model's cache, a missing tensor
            opts.calibration = calibrationFor(graph, c.calibration.text, c.calibration.source, Object.fromEntries(Object.entries(model.inputs).map(([k, t]) => [k, [...t.shape]])));
            if (c.floatPrecision) opts.floatPrecision = c.floatPrecision;
          }
          if (c.timeTactics === false) opts.timeTactics = false;
          if (c.timingCache) opts.timingCache = c.timingCache;
          if (c.tacticSources) opts.tacticSources = c.tacticSources;
        }
        const session = await createSession(graph, opts);
        const layerTimes = session.layerTimes && (() => session.layerTimes!());
        if (mode === 'e2e') return { run: () => session.run(model.inputs), dispose: () => session.dispose(), ...(layerTimes ? { layerTimes } : {}) };
        if (!session.upload || !session.runOnDevice || (mode === 'stream' && !session.deviceDone)) {
          session.dispose();
          throw new UnsupportedError(`this ${c.device} session cannot keep tensors on the device`);
        }
        // inputs go to the device once, before timing; each run leaves its outputs there
        const onDevice = Object.fromEntries(Object.entries(model.inputs).map(([k, t]) => [k, session.upload!(t)]));
        const dispose = () => {
          session.dispose();
          for (const t of Object.values(onDevice)) t.buffer.destroy();
        };
        if (mode === 'resident') return { run: () => session.runOnDevice!(onDevice), dispose, ...(layerTimes ? { layerTimes } : {}) };
        // back to back: each run is submitted without waiting for it and waits for the run before it
        // (two in flight), so the device goes from one run to the next without idling
        const done = session.deviceDone!;
        let previous: Promise<void> | undefined;
        return {
          async run() {
            const out = await session.runOnDevice!(onDevice, { wait: false });
            const before = previous;
            previous = done();
            await before;
            return out;
          },
          async dispose() {
            await previous?.catch(() => undefined);
            dispose();
          },
          ...(layerTimes ? { layerTimes } : {}),
        };
      },
    }),
  };
}
