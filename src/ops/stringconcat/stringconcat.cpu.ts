import { broadcastStrides, stridesOf } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import type { StringConcat } from './stringconcat.op.js';

export const stringConcatCpu: CpuKernel<typeof StringConcat.attrs> = ([x, y], _attrs, [out]) => {
  const shape = out!.shape;
  const size = shape.reduce((a, d) => a * d, 1);
  const sx = broadcastStrides(x!.shape, shape);
  const sy = broadcastStrides(y!.shape, shape);
  const so = stridesOf(shape);
  const a = x!.data as string[];
  const b = y!.data as string[];
  const z = new Array<string>(size);
  for (let i = 0; i < size; i++) {
    let ix = 0;
    let iy = 0;
    let rest = i;
    for (let d = 0; d < shape.length; d++) {
      const c = Math.floor(rest / so[d]!);
      rest -= c * so[d]!;
      ix += c * sx[d]!;
      iy += c * sy[d]!;
    }
    z[i] = a[ix]! + b[iy]!;
  }
  return [new Tensor('string', shape, z)];
};
