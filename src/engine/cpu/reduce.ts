// Reductions on the CPU engine: one pass over the input in row-major order, each element folded
// into its output slot (reduced axes have output stride 0), accumulated in double precision.
import { elementCount } from '../../tensor/shape.js';
import type { ReduceLayer } from '../network.js';
import type { CpuCompiler } from './tactic.js';

export const cpuReduce: CpuCompiler<ReduceLayer> = (l, net) => {
  const shape = net.tensors.get(l.input)!.shape;
  const reduced = new Set(l.axes);
  const kept = shape.map((d, k) => (reduced.has(k) ? 1 : d));
  const keptStrides = kept.map((_, k) => elementCount(kept.slice(k + 1)));
  const strides = shape.map((_, k) => (reduced.has(k) ? 0 : keptStrides[k]!));
  const outCount = elementCount(kept);
  const per = elementCount(shape) / Math.max(1, outCount);
  const { fn } = l;
  const init = fn === 'max' ? -Infinity : fn === 'min' ? Infinity : fn === 'prod' ? 1 : 0;
  return [{
    name: 'fold',
    scratchBytes: 0,
    prepare(env) {
      const x = env.at(l.input) / 4;
      const y = env.at(l.output) / 4;
      const acc = new Float64Array(outCount);
      const idx = new Array<number>(shape.length).fill(0);
      const total = elementCount(shape);
      const rank = shape.length;
      return () => {
        const f = env.mem.f32();
        acc.fill(init);
        idx.fill(0);
        let o = 0;
        for (let i = 0; i < total; i++) {
          const v = f[x + i]!;
          switch (fn) {
            case 'max': if (v > acc[o]! || Number.isNaN(v)) acc[o] = v; break;
            case 'min': if (v < acc[o]! || Number.isNaN(v)) acc[o] = v; break;
            case 'prod': acc[o]! *= v; break;
            case 'l1': acc[o]! += Math.abs(v); break;
            case 'l2': case 'sumsquare': acc[o]! += v * v; break;
            default: acc[o]! += v; // sum, mean, logsum
          }
          for (let k = rank - 1; k >= 0; k--) {
            o += strides[k]!;
            if (++idx[k]! < shape[k]!) break;
            o -= strides[k]! * shape[k]!;
            idx[k] = 0;
          }
        }
        for (let j = 0; j < outCount; j++) {
          const a = acc[j]!;
          f[y + j] = fn === 'mean' ? a / per : fn === 'l2' ? Math.sqrt(a) : fn === 'logsum' ? Math.log(a) : a;
        }
      };
    },
  }];
};
