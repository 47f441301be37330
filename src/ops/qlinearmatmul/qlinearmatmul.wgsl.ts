import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { intMatMulProgram, laneIndex, laneKind } from '../_wgsl/int-matmul.js';
import type { QLinearMatMul } from './qlinearmatmul.op.js';

// The shared integer product, requantized: y = saturate(round_half_even(acc · factor) + y_zp) with
// factor = a_scale·b_scale / y_scale rounded in the scales' float type after each step, as the
// reference does (float16 scales round through pack2x16float). WGSL's round() ties to even.
export const qlinearMatMulWgsl: GpuKernel<typeof QLinearMatMul.attrs> = (
  [a, aScale, aZero, b, bScale, bZero, yScale, yZero], _attrs, [out],
) => {
  const A = { at: 0, type: a! };
  const B = { at: 3, type: b! };
  const as = laneKind({ at: 1, type: aScale! }, A, 'a', 'a_scale');
  const bs = laneKind({ at: 4, type: bScale! }, B, 'b', 'b_scale');
  const half = aScale!.dtype;
  const [min, max] = out!.dtype === 'int8' ? [-128, 127] : [0, 255];
  const yType = out!.dtype === 'int8' ? 'i32' : 'u32';
  return {
    programs: [intMatMulProgram({
      name: `q:${half}:${as}:${bs}:${out!.dtype}`,
      a: A, b: B, aZero: { at: 2, type: aZero! }, bZero: { at: 5, type: bZero! },
      extra: [
        { at: 1, name: 'AS', type: 'f32' }, { at: 4, name: 'BS', type: 'f32' },
        { at: 6, name: 'YS', type: 'f32' }, { at: 7, name: 'YZ', type: yType },
      ],
      epilogue: (u) => `let factor = ${narrow(`${narrow(`AS[${laneIndex(as, 'a', u)}] * BS[${laneIndex(bs, 'b', u)}]`, half)} / YS[0]`, half)};
    let q = round(f32(acc) * factor) + f32(YZ[0]);
    Y[gi] = ${yType}(clamp(q, ${min}.0, ${max}.0));`,
      outType: yType,
    }, out!)],
  };
};
