import { elementwiseProgram } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { alongAxis, paramsAxis } from '../_wgsl/quant-params.js';
import type { QuantizeLinear } from './quantizelinear.op.js';

/** Saturation range per ONNX output type code (the narrow integer types are held widened). */
const RANGE: Record<number, readonly [number, number]> = {
  2: [0, 255], 3: [-128, 127], 4: [0, 65535], 5: [-32768, 32767], 21: [0, 15], 22: [-8, 7], 25: [0, 3], 26: [-2, 1],
};
const DEFAULT_CODE: Partial<Record<string, number>> = { uint8: 2, int8: 3 };

// y = clamp(round_half_even(x / scale) + zero_point) to the integer target's range, per tensor or per axis
// (WGSL's round() rounds halves to even, as ONNX asks). Blocked scales, float16 inputs (the CPU
// divides in half precision) and the float8/float4 targets stay on the CPU.
export const quantizeLinearWgsl: GpuKernel<typeof QuantizeLinear.attrs> = ([x, scale, zp], a, [out]) => {
  const code = a.output_dtype || DEFAULT_CODE[out!.dtype];
  const range = code === undefined ? undefined : RANGE[code];
  if (!range) return `quantizing to ${out!.dtype} (output_dtype ${a.output_dtype}: float8/float4 round onto a grid the device kernel does not implement)`;
  if (a.block_size > 0) return 'blocked quantization';
  if (x!.dtype !== 'float32' || scale!.dtype !== 'float32') return `quantizing ${x!.dtype} with a ${scale!.dtype} scale`;
  const axis = paramsAxis(a.axis, x!.shape, [scale, zp]);
  const params = [alongAxis(scale!, x!.shape, axis), ...(zp ? [alongAxis(zp, x!.shape, axis)] : [])];
  const expr = `clamp(round(x0 / x1)${zp ? ' + f32(x2)' : ''}, ${range[0]}.0, ${range[1]}.0)`;
  return { programs: [elementwiseProgram({ name: `QuantizeLinear-${code}`, expr }, [x!, ...params], out!)] };
};
