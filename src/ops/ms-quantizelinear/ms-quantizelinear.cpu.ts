// The ai.onnx kernels with the com.microsoft attributes filled in.
import { dequantizeLinearCpu } from '../dequantizelinear/dequantizelinear.cpu.js';
import type { CpuKernel } from '../op.js';
import { quantizeLinearCpu } from '../quantizelinear/quantizelinear.cpu.js';
import { dequantizeAttrs, quantizeAttrs, type MsDequantizeLinear, type MsQuantizeLinear } from './ms-quantizelinear.op.js';

export const msQuantizeLinearCpu: CpuKernel<typeof MsQuantizeLinear.attrs> = (inputs, attrs, outputs) =>
  quantizeLinearCpu(inputs, quantizeAttrs(attrs), outputs);

export const msDequantizeLinearCpu: CpuKernel<typeof MsDequantizeLinear.attrs> = (inputs, attrs, outputs) =>
  dequantizeLinearCpu(inputs, dequantizeAttrs(attrs), outputs);
