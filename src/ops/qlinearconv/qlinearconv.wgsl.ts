import type { GpuKernel } from '../../devices/webgpu/program.js';
import { intConvProgram, perFilter } from '../_wgsl/int-conv.js';
import type { QLinearConv } from './qlinearconv.op.js';

// The shared integer convolution, plus the int32 bias (wrapping like the reference), requantized:
// y = saturate(round_half_even(sum · x_scale·w_scale / y_scale) + y_zp), the factor in f32 like
// the reference. WGSL's round() ties to even.
export const qlinearConvWgsl: GpuKernel<typeof QLinearConv.attrs> = ([x, , xZero, w, wScale, wZero, , yZero, bias], attrs, [out]) => {
  const [min, max] = out!.dtype === 'int8' ? [-128, 127] : [0, 255];
  const yType = out!.dtype === 'int8' ? 'i32' : 'u32';
  const scale = perFilter(wScale!);
  return {
    programs: [intConvProgram({
      name: `q:${scale}:${bias ? 'b' : '-'}:${out!.dtype}`,
      x: { at: 0, type: x! }, w: { at: 3, type: w! }, xZero: { at: 2, type: xZero! }, wZero: { at: 5, type: wZero! },
      extra: [
        { at: 1, name: 'XS', type: 'f32' }, { at: 4, name: 'WS', type: 'f32' }, { at: 6, name: 'YS', type: 'f32' },
        { at: 7, name: 'YZ', type: yType }, ...(bias ? [{ at: 8, name: 'BIAS', type: 'i32' }] : []),
      ],
      epilogue: `let factor = (XS[0] * WS[${scale}]) / YS[0];
    let q = round(f32(${bias ? 'acc + BIAS[o1]' : 'acc'}) * factor) + f32(YZ[0]);
    Y[gi] = ${yType}(clamp(q, ${min}.0, ${max}.0));`,
      outType: yType,
    }, attrs, out!)],
  };
};
