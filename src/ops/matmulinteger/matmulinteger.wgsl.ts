import type { GpuKernel } from '../../devices/webgpu/program.js';
import { intMatMulProgram } from '../_wgsl/int-matmul.js';
import type { MatMulInteger } from './matmulinteger.op.js';

// (A − a_zero_point)·(B − b_zero_point) in i32: the shared integer product, stored as is.
export const matMulIntegerWgsl: GpuKernel<typeof MatMulInteger.attrs> = ([a, b, aZero, bZero], _attrs, [out]) => ({
  programs: [intMatMulProgram({
    name: 'int32',
    a: { at: 0, type: a! }, b: { at: 1, type: b! },
    ...(aZero ? { aZero: { at: 2, type: aZero } } : {}),
    ...(bZero ? { bZero: { at: 3, type: bZero } } : {}),
    epilogue: () => 'Y[gi] = acc;',
    outType: 'i32',
  }, out!)],
});
