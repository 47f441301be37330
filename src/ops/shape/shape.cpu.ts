import type { CpuKernel } from '../op.js';
import { shapeSlice, type Shape } from './shape.op.js';

export const shapeCpu: CpuKernel<typeof Shape.attrs> = ([x], { start, end }) => [shapeSlice(x!.shape, start, end)];
