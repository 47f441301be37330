import { permutedIndices, takeElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import type { SpaceToDepth } from './spacetodepth.op.js';

// A 6-D view of x transposed, as the ONNX spec defines the op.
export const spaceToDepthCpu: CpuKernel<typeof SpaceToDepth.attrs> = ([x], { blocksize: b }, [out]) => {
  const [n, c, h, w] = x!.shape as [number, number, number, number];
  return [takeElements(x!, out!.shape, permutedIndices([n, c, h / b, b, w / b, b], [0, 3, 5, 1, 2, 4]))];
};
