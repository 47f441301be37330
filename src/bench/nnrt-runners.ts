// nnrt's configurations as bench runners: device (cpu | webgpu) × engine (none | webgpu) × precision.
import { UnsupportedError } from '../errors.js';
import type { CpuKernelChoice } from '../executor/program.js';
import { createSession, type DeviceName, type EngineName, type SessionOptions } from '../runtime/session.js';
import type { Precision, Runner } from './types.js';

export interface NnrtConfig {
  device: DeviceName;
  engine: EngineName;
  precision: Precision;
  /** The CPU kernels (default fast); a row of its own only where the framework runs on the CPU. */
  cpuKernels?: CpuKernelChoice;
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
  const meaningful = all.filter((c) => (c.engine !== 'none' || c.precision === 'fp32') && (c.engine === 'none' || c.device !== 'cpu'));
  return meaningful.length ? meaningful : all;
}

export function nnrtRunnerId(c: NnrtConfig): string {
  return ['nnrt', c.device, ...(c.engine !== 'none' ? ['engine'] : []), ...(c.precision !== 'fp32' ? [c.precision] : []),
    ...(c.cpuKernels === 'reference' ? ['reference'] : [])].join('-');
}

export function nnrtRunner(c: NnrtConfig): Runner {
  const engine = c.engine === 'none' ? '' : c.engine === c.device ? '+engine' : `+${c.engine} engine`;
  const kernels = c.cpuKernels === 'reference' ? ' (reference kernels)' : '';
  const label = `nnrt ${c.device}${engine}${c.precision !== 'fp32' ? ` ${c.precision}` : ''}${kernels}`;
  return {
    id: nnrtRunnerId(c), label, kind: 'nnrt', device: c.device, engine: c.engine, precision: c.precision,
    async prepare(model) {
      if (c.engine === 'none' && c.precision !== 'fp32') {
        throw new UnsupportedError(`the framework computes in fp32; ${c.precision} needs the optimizing engine`, { hint: 'add --device webgpu --engine webgpu' });
      }
      // `precision` is the engine's option; the options object is widened so this compiles
      // whether or not SessionOptions declares it yet
      const opts: SessionOptions & { precision?: Precision } = { device: c.device, engine: c.engine, cpuKernels: c.cpuKernels ?? 'fast' };
      if (c.engine !== 'none') opts.precision = c.precision;
      const session = await createSession(model.loadGraph(), opts);
      return {
        run: () => session.run(model.inputs),
        dispose: () => session.dispose(),
      };
    },
  };
}
