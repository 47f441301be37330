// How ScatterElements and ScatterND combine an update with the value already there, in WGSL over
// the device type: replace, add, multiply, or max/min (NaN-propagating for floats, as the CPU's
// Math.max/min). Updates are applied in the order the CPU kernel applies them.
import type { WgslScalar } from '../../devices/webgpu/dtype.js';
import { NAN_MINMAX } from '../../wgsl/math.js';
import type { Reduction } from '../_kernels/element-index.js';

/** The WGSL function `combine(old, update)` for a reduction, with the helpers it calls. */
export function scatterCombine(reduction: Reduction, t: WgslScalar): string {
  const body: Record<Reduction, string> = {
    none: 'b',
    add: 'a + b',
    mul: 'a * b',
    max: t === 'f32' ? 'nmax_(a, b)' : 'max(a, b)',
    min: t === 'f32' ? 'nmin_(a, b)' : 'min(a, b)',
  };
  return `${t === 'f32' && (reduction === 'max' || reduction === 'min') ? NAN_MINMAX : ''}
fn combine(a: ${t}, b: ${t}) -> ${t} { return ${body[reduction]}; }
`;
}

/** Why a scatter of `dtype` with `reduction` stays on the CPU, or undefined. */
export function scatterDeclines(dtype: string, reduction: Reduction): string | undefined {
  return dtype === 'bool' && reduction !== 'none' ? `reduction '${reduction}' of bool` : undefined;
}
