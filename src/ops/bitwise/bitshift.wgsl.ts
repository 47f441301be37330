import { elementwiseProgram } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import type { BitShift } from './bitwise.op.js';

// Shifts of unsigned values (uint8 in u32; uint16 held in int32; uint32/uint64 held in int64, on
// the device in i32), as the CPU kernel: bits shifted past the width are lost, a right shift fills
// with zeros. WGSL takes the shift amount modulo 32, so amounts of 32 and more give 0 explicitly.
// An int64 value is shifted as its low 32 bits: exact whenever the result fits the device's i32
// (a uint64 value past 2^31 cannot reach the device at all, see devices/webgpu/dtype.ts).
export const bitShiftWgsl: GpuKernel<typeof BitShift.attrs> = ([a, b], { direction }, [out]) => {
  if (b!.dtype !== a!.dtype) return `BitShift of ${a!.dtype} by ${b!.dtype}`;
  const op = direction === 'LEFT' ? '<<' : '>>';
  const shifted = `(bitcast<u32>(x0) ${op} min(bitcast<u32>(x1), 31u))`;
  const bits = `select(0u, ${shifted}, bitcast<u32>(x1) < 32u)`;
  const expr = a!.dtype === 'uint8' ? bits : `bitcast<i32>(${bits})`;
  return { programs: [elementwiseProgram({ name: `BitShift${op}`, expr }, [a!, b!], out!)] };
};
