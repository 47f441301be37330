import { copyProgram } from '../../devices/webgpu/copy.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import type { DepthToSpace } from './depthtospace.op.js';
import { stridesOf } from '../../tensor/shape.js';

// DepthToSpace is reshape → transpose → reshape: walk the output as the 6-D transposed view and
// read the input through its 6-D strides permuted (DCR: [N, b, b, C', H, W] → [0,3,4,1,5,2];
// CRD: [N, C', b, b, H, W] → [0,1,4,2,5,3]).
export const depthToSpaceWgsl: GpuKernel<typeof DepthToSpace.attrs> = ([x], a, [out]) => {
  const [n, c, h, w] = x!.shape as [number, number, number, number];
  const bs = a.blocksize;
  const cOut = c / (bs * bs);
  const dcr = a.mode === 'DCR';
  const view = dcr ? [n, bs, bs, cOut, h, w] : [n, cOut, bs, bs, h, w];
  const perm = dcr ? [0, 3, 4, 1, 5, 2] : [0, 1, 4, 2, 5, 3];
  const strides = stridesOf(view);
  return {
    programs: [copyProgram(x!.dtype, perm.map((p) => view[p]!), { base: 0, strides: perm.map((p) => strides[p]!) }, { base: 0 }, [{ input: 0 }, { output: 0 }])],
  };
};
