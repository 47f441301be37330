import { wgslType } from '../../devices/webgpu/dtype.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { elementCount, stridesOf } from '../../tensor/shape.js';
import type { ReverseSequence } from './reversesequence.op.js';

// y[b, t] = x[b, len − 1 − t] for t < len = sequence_lens[b] (clamped to the time dim), else
// x[b, t]; batch and time are dims 0 and 1 in some order.
export const reverseSequenceWgsl: GpuKernel<typeof ReverseSequence.attrs> = ([x], { batch_axis, time_axis }) => {
  const shape = x!.shape;
  const strides = stridesOf(shape);
  const size = elementCount(shape);
  const t = wgslType(x!.dtype);
  const u = new Uniforms().add('dims', 'u32', [size, shape[1]!, strides[1]!, strides[time_axis]!, shape[time_axis]!]);
  const [SIZE, D1, S1, TSTRIDE, TLEN] = [0, 1, 2, 3, 4].map((i) => u.at('dims', i));
  const body = `if (gi >= ${SIZE}) { return; }
    let c0 = gi / (${D1} * ${S1});
    let c1 = (gi / ${S1}) % ${D1};
    let b = ${batch_axis === 0 ? 'c0' : 'c1'};
    let t = i32(${time_axis === 0 ? 'c0' : 'c1'});
    let len = clamp(L[b], 0, i32(${TLEN}));
    let src = select(t, len - 1 - t, t < len);
    Y[gi] = X[u32(i32(gi) + (src - t) * i32(${TSTRIDE}))];`;
  return {
    programs: [{
      key: `reversesequence:${t}:b${batch_axis}`,
      source: () => `${storage(0, 'X', t, 'read')}${storage(1, 'L', 'i32', 'read')}${storage(2, 'Y', t, 'read_write')}${u.declare(3)}\n${linearMain(body)}`,
      bindings: [{ input: 0 }, { input: 1 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(size),
    }],
  };
};
