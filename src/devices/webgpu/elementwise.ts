// The generic elementwise shader: N inputs broadcast to one output, one WGSL expression per op.
// One pipeline per (op expression, dtypes, output rank, broadcast pattern of each input).
import type { DType } from '../../tensor/dtype.js';
import type { InferInput, TensorType } from '../../tensor/tensor-type.js';
import { broadcastStrides, sameShape, elementCount } from '../../tensor/shape.js';
import { wgslType } from './dtype.js';
import type { Program } from './program.js';
import { coordsOf, linearDispatch, linearMain, storage, Uniforms } from './shader.js';

/** How one input is read at output index `gi`: same shape, a single element, or broadcast strides. */
type Access = 'same' | 'one' | 'strided';

const ACCESS_CODE: Record<Access, string> = { same: 'e', one: '1', strided: 'b' };

function accessOf(shape: readonly number[], out: readonly number[]): Access {
  if (sameShape(shape, out)) return 'same';
  if (elementCount(shape) === 1) return 'one';
  return 'strided';
}

/** The WGSL store of a value computed in the device type, narrowed to the IR dtype's range. */
export function narrow(value: string, dtype: DType): string {
  switch (dtype) {
    case 'float16': return `unpack2x16float(pack2x16float(vec2<f32>(${value}, 0.0))).x`; // round to half
    case 'uint8': return `((${value}) & 255u)`;
    case 'int8': return `(((${value}) << 24u) >> 24u)`;
    default: return value;
  }
}

export interface ElementwiseSpec {
  /** Names the expression for the pipeline key (op name plus anything that changes the WGSL). */
  name: string;
  /** WGSL expression over `x0..x{n-1}` (inputs in their device types) and `p_<param>` uniforms. */
  expr: string;
  /** f32 parameters the expression reads as `p_<name>` (alpha, beta...): uniforms, not in the key. */
  params?: Record<string, number>;
  /** Extra WGSL functions the expression calls. */
  helpers?: string;
}

/** A program computing `spec.expr` for every element of `output` from broadcast `inputs`. */
export function elementwiseProgram(
  spec: ElementwiseSpec, inputs: readonly InferInput[], output: TensorType, inputIndex: readonly number[] = inputs.map((_, i) => i),
): Program {
  const rank = Math.max(1, output.shape.length);
  const outShape = output.shape.length ? output.shape : [1];
  const size = elementCount(outShape);
  const access = inputs.map((t) => accessOf(t.shape, output.shape));
  const types = inputs.map((t) => wgslType(t.dtype));
  const outType = wgslType(output.dtype);
  const u = new Uniforms().add('size', 'u32', size).add('shape', 'u32', outShape);
  inputs.forEach((t, i) => {
    if (access[i] === 'strided') u.add(`s${i}`, 'u32', broadcastStrides(t.shape, output.shape));
  });
  const params = Object.entries(spec.params ?? {});
  for (const [k, v] of params) u.add(`p_${k}`, 'f32', v);
  const key = `ew:${spec.name}:${types.join(',')}>${output.dtype}:r${rank}:${access.map((a) => ACCESS_CODE[a]).join('')}:${spec.expr}`;
  const source = () => {
    const decls = types.map((t, i) => storage(i, `in${i}`, t, 'read')).join('') + storage(inputs.length, 'out', outType, 'read_write');
    const needCoords = access.includes('strided');
    const loads = access.map((a, i) => {
      const index = a === 'same' ? 'gi' : a === 'one' ? '0u' : Array.from({ length: rank }, (_, d) => `c${d} * ${u.at(`s${i}`, d)}`).join(' + ');
      return `let x${i} = in${i}[${index}];`;
    });
    const paramLets = params.map(([k]) => `let p_${k} = ${u.at(`p_${k}`)};`);
    const body = [
      `if (gi >= ${u.at('size')}) { return; }`,
      needCoords ? coordsOf(u, 'shape', rank, 'gi', 'c') : '',
      ...loads, ...paramLets,
      `out[gi] = ${narrow(`${outType}(${spec.expr})`, output.dtype)};`,
    ].filter(Boolean).join('\n    ');
    return `${decls}${u.declare(inputs.length + 1)}${spec.helpers ?? ''}\n${linearMain(body)}`;
  };
  return {
    key, source, uniforms: u, workgroups: linearDispatch(size),
    bindings: [...inputIndex.map((i) => ({ input: i })), { output: 0 }],
  };
}
