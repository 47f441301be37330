import { elementwiseProgram } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { alongAxis, paramsAxis } from '../_wgsl/quant-params.js';
import type { DequantizeLinear } from './dequantizelinear.op.js';

// y = (x − zero_point) · scale from int8, uint8 or int32, per tensor or per axis. Blocked scales and
// the float-held formats (float8/float4 widened to float32) stay on the CPU.
export const dequantizeLinearWgsl: GpuKernel<typeof DequantizeLinear.attrs> = ([x, scale, zp], a, [out]) => {
  if (a.block_size > 0) return 'blocked dequantization';
  if (x!.dtype === 'float32') return 'dequantizing a float8/float4 input';
  const axis = paramsAxis(a.axis, x!.shape, [scale, zp]);
  const params = [alongAxis(scale!, x!.shape, axis), ...(zp ? [alongAxis(zp, x!.shape, axis)] : [])];
  const expr = zp ? 'f32(i32(x0) - i32(x2)) * x1' : 'f32(x0) * x1'; // i32: uint8 would wrap below the zero point
  return { programs: [elementwiseProgram({ name: 'DequantizeLinear', expr }, [x!, ...params], out!)] };
};
