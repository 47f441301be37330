import { permutedIndices, takeElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import type { DepthToSpace } from './depthtospace.op.js';

// A 6-D view of x transposed, as the ONNX spec defines the op.
export const depthToSpaceCpu: CpuKernel<typeof DepthToSpace.attrs> = ([x], { blocksize: b, mode }, [out]) => {
  const [n, c, h, w] = x!.shape as [number, number, number, number];
  const cOut = c / (b * b);
  const indices = mode === 'DCR'
    ? permutedIndices([n, b, b, cOut, h, w], [0, 3, 4, 1, 5, 2])
    : permutedIndices([n, cOut, b, b, h, w], [0, 1, 4, 2, 5, 3]);
  return [takeElements(x!, out!.shape, indices)];
};
