import { allocStorage } from '../../tensor/dtype.js';
import { DTYPE_ELEMENT_TYPE } from '../../tensor/element-type.js';
import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import type { BitCast } from './bitcast.op.js';
import { BITCAST_BYTES } from './bitcast-bytes.js';

export const bitCastCpu: CpuKernel<typeof BitCast.attrs> = ([x], { to, nnrt_from }, [out]) => {
  const src = BITCAST_BYTES.get(nnrt_from ?? DTYPE_ELEMENT_TYPE[x!.dtype])!;
  const dst = BITCAST_BYTES.get(to)!;
  const n = x!.size;
  const view = new DataView(new ArrayBuffer(n * src.bytes));
  // raw storage, not numbers: float16 bits and int64 BigInts pass unchanged
  const held = x!.data as ArrayLike<number | bigint>;
  for (let i = 0; i < n; i++) src.write(view, i * src.bytes, held[i]!);
  const y = allocStorage(out!.dtype, n) as unknown as { [i: number]: number | bigint };
  const bigOut = out!.dtype === 'int64';
  for (let i = 0; i < n; i++) {
    const v = dst.read(view, i * dst.bytes);
    y[i] = bigOut ? BigInt(v) : Number(v);
  }
  return [new Tensor(out!.dtype, out!.shape, y as never)];
};
