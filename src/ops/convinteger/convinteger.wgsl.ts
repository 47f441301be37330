import type { GpuKernel } from '../../devices/webgpu/program.js';
import { intConvProgram } from '../_wgsl/int-conv.js';
import type { ConvInteger } from './convinteger.op.js';

// Conv(x − x_zero_point, w − w_zero_point) in i32: the shared integer convolution, stored as is.
export const convIntegerWgsl: GpuKernel<typeof ConvInteger.attrs> = ([x, w, xZero, wZero], attrs, [out]) => ({
  programs: [intConvProgram({
    name: 'int32',
    x: { at: 0, type: x! }, w: { at: 1, type: w! },
    ...(xZero ? { xZero: { at: 2, type: xZero } } : {}),
    ...(wZero ? { wZero: { at: 3, type: wZero } } : {}),
    epilogue: 'Y[gi] = acc;',
    outType: 'i32',
  }, attrs, out!)],
});
