import { copyProgram } from '../../devices/webgpu/copy.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import type { SpaceToDepth } from './spacetodepth.op.js';
import { stridesOf } from '../../tensor/shape.js';

// SpaceToDepth is reshape → transpose → reshape: the input seen as [N, C, H/b, b, W/b, b] and
// permuted [0,3,5,1,2,4], walked in output order.
export const spaceToDepthWgsl: GpuKernel<typeof SpaceToDepth.attrs> = ([x], a, _outs) => {
  const [n, c, h, w] = x!.shape as [number, number, number, number];
  const bs = a.blocksize;
  const view = [n, c, h / bs, bs, w / bs, bs];
  const perm = [0, 3, 5, 1, 2, 4];
  const strides = stridesOf(view);
  return {
    programs: [copyProgram(x!.dtype, perm.map((p) => view[p]!), { base: 0, strides: perm.map((p) => strides[p]!) }, { base: 0 }, [{ input: 0 }, { output: 0 }])],
  };
};
