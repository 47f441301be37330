// Data movement on the CPU engine: reshapes are views (memory-layout.ts gives the output the
// input's bytes, so they run nothing), in-place concats run nothing, other concats and transposes
// are block copies in JavaScript over the arena.
import { elementCount } from '../../tensor/shape.js';
import type { ConcatLayer, ReshapeLayer, SliceLayer, TransposeLayer } from '../network.js';
import { isConstOperand, constOperandIndex } from '../passes/pw-expr.js';
import { inPlaceConcats } from './memory-layout.js';
import type { CpuCompiler, CpuTactic } from './tactic.js';

const nothing: CpuTactic = { name: 'view', scratchBytes: 0, view: true, prepare: () => () => {} };

export const cpuReshape: CpuCompiler<ReshapeLayer> = () => [nothing];

export const cpuConcat: CpuCompiler<ConcatLayer> = (l, net) => {
  if (inPlaceConcats(net).has(l.name)) return [{ ...nothing, name: 'in-place' }];
  return [{
    name: 'copy',
    scratchBytes: 0,
    prepare(env) {
      const out = net.tensors.get(l.output)!.shape;
      const outer = elementCount(out.slice(0, l.axis));
      const inner = elementCount(out.slice(l.axis + 1));
      const rowOut = out[l.axis]! * inner;
      const y = env.at(l.output) / 4;
      // constant operands live in the engine's memory, placed once
      const parts = l.inputs.map((t) => {
        const c = isConstOperand(t) ? l.constants![constOperandIndex(t)]! : undefined;
        const shape = c ? c.shape : net.tensors.get(t)!.shape;
        return { at: c ? env.mem.put(c.values) / 4 : env.at(t) / 4, row: shape[l.axis]! * inner };
      });
      return () => {
        const f = env.mem.f32();
        let offset = 0;
        for (const p of parts) {
          for (let o = 0; o < outer; o++) f.copyWithin(y + o * rowOut + offset, p.at + o * p.row, p.at + (o + 1) * p.row);
          offset += p.row;
        }
      };
    },
  }];
};

/**
 * A copy that walks the output row-major while the source index moves by `strides` (in floats,
 * one per output axis; 0 repeats a value): transposes, slices, splits and expands.
 */
function stridedCopy(f: Float32Array, y: number, x: number, outShape: readonly number[], strides: readonly number[], idx: number[]): void {
  const rank = outShape.length;
  const total = elementCount(outShape);
  const lastDim = outShape[rank - 1] ?? 1;
  const lastStride = strides[rank - 1] ?? 1;
  idx.fill(0);
  let src = x;
  for (let i = 0; i < total; i += lastDim) {
    if (lastStride === 1) f.copyWithin(y + i, src, src + lastDim);
    else for (let j = 0; j < lastDim; j++) f[y + i + j] = f[src + j * lastStride]!;
    for (let k = rank - 2; k >= 0; k--) {
      idx[k]!++;
      src += strides[k]!;
      if (idx[k]! < outShape[k]!) break;
      src -= strides[k]! * outShape[k]!;
      idx[k] = 0;
    }
  }
}

const rowStrides = (shape: readonly number[]) => shape.map((_, k) => elementCount(shape.slice(k + 1)));

export const cpuTranspose: CpuCompiler<TransposeLayer> = (l, net) => [{
  name: 'copy',
  scratchBytes: 0,
  prepare(env) {
    const shape = net.tensors.get(l.input)!.shape;
    const inStrides = rowStrides(shape);
    const outShape = l.perm.map((p) => shape[p]!);
    const strides = l.perm.map((p) => inStrides[p]!);
    const x = env.at(l.input) / 4;
    const y = env.at(l.output) / 4;
    const idx = new Array<number>(outShape.length).fill(0);
    return () => stridedCopy(env.mem.f32(), y, x, outShape, strides, idx);
  },
}];

export const cpuSlice: CpuCompiler<SliceLayer> = (l, net) => [{
  name: 'copy',
  scratchBytes: 0,
  prepare(env) {
    const inStrides = rowStrides(net.tensors.get(l.input)!.shape);
    const outShape = net.tensors.get(l.output)!.shape;
    const strides = l.axes.map((a, j) => (a < 0 ? 0 : l.steps[j]! * inStrides[a]!));
    const base = l.start.reduce((s, v, a) => s + v * inStrides[a]!, 0);
    const x = env.at(l.input) / 4 + base;
    const y = env.at(l.output) / 4;
    const idx = new Array<number>(outShape.length).fill(0);
    return () => stridedCopy(env.mem.f32(), y, x, outShape, strides, idx);
  },
}];
