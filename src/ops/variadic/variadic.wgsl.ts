import { NAN_MINMAX } from '../../wgsl/math.js';
import { elementwiseProgram } from '../../devices/webgpu/elementwise.js';
import { wgslType } from '../../devices/webgpu/dtype.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import type { InferInput } from '../op.js';

function present(inputs: readonly (InferInput | undefined)[]): { list: InferInput[]; index: number[] } {
  const list: InferInput[] = [];
  const index: number[] = [];
  inputs.forEach((t, i) => {
    if (t) {
      list.push(t);
      index.push(i);
    }
  });
  return { list, index };
}

/** Max, Min, Sum, Mean over any number of broadcast inputs, folded into one expression. */
export function variadicKernel(op: 'Max' | 'Min' | 'Sum' | 'Mean'): GpuKernel {
  return (inputs, _attrs, [out], caps) => {
    const { list, index } = present(inputs);
    if (list.length + 1 > caps.maxStorageBuffersPerStage) return `${list.length} inputs exceed the device's storage bindings`;
    const t = wgslType(out!.dtype);
    if (op === 'Mean' && t !== 'f32') return `Mean of ${out!.dtype}`;
    let expr = 'x0';
    for (let i = 1; i < list.length; i++) {
      const n = t === 'f32' ? 'n' : ''; // floats: NaN-propagating
      expr = op === 'Max' ? `${n}max${n ? '_' : ''}(${expr}, x${i})` : op === 'Min' ? `${n}min${n ? '_' : ''}(${expr}, x${i})` : `${expr} + x${i}`;
    }
    if (op === 'Mean') expr = `(${expr}) / ${list.length}.0`;
    return { programs: [elementwiseProgram({ name: op, expr, ...(t === 'f32' ? { helpers: NAN_MINMAX } : {}) }, list, out!, index)] };
  };
}
