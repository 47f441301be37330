import { wgslType } from '../../devices/webgpu/dtype.js';
import { elementwiseProgram } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import type { DType } from '../../tensor/dtype.js';

/** ONNX element type codes whose IR dtype holds them exactly (others, e.g. float8, need the CPU's rounding). */
const EXACT_TARGET: Record<number, DType> = { 1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16' };

// Cast among the device types: float → int truncates toward zero (saturating), anything → bool is
// "≠ 0", and the store narrows to the target's range (int8/uint8 wrap, float16 rounds).
export const castWgsl: GpuKernel = ([x], attrs, [out]) => {
  const to = typeof attrs.to === 'number' ? EXACT_TARGET[attrs.to] : undefined;
  if (to !== out!.dtype) return `Cast to ONNX type ${String(attrs.to)} rounds onto a grid the device kernel does not implement`;
  const from = wgslType(x!.dtype);
  const expr = out!.dtype === 'bool' ? `select(0u, 1u, x0 != ${from}(0))` : 'x0';
  return { programs: [elementwiseProgram({ name: 'Cast', expr }, [x!], out!)] };
};

// CastLike: Cast to the second input's dtype (its values are never read, so it is not bound).
export const castLikeWgsl: GpuKernel = ([x], _attrs, [out]) => {
  const from = wgslType(x!.dtype);
  const expr = out!.dtype === 'bool' ? `select(0u, 1u, x0 != ${from}(0))` : 'x0';
  return { programs: [elementwiseProgram({ name: 'Cast', expr }, [x!], out!, [0])] };
};
