import type { GpuKernel } from '../../devices/webgpu/program.js';
import type { Dropout } from './dropout.op.js';

// Inference (training_mode absent or a constant 0, or ratio a constant 0): y is x, no copy.
// Training with a nonzero ratio draws random masks, which the CPU kernel does.
export const dropoutWgsl: GpuKernel<typeof Dropout.attrs> = ([, ratio, training], _attrs, outputs) => {
  if (outputs.length > 1) return 'Dropout with a mask output';
  const isZero = (v: typeof ratio) => v?.value !== undefined && v.value.numeric()[0] === 0;
  if (training && !isZero(training) && !isZero(ratio)) return 'Dropout in training mode';
  return { alias: 0 };
};
