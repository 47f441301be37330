import { wgslType } from '../../devices/webgpu/dtype.js';
import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { elementCount, normalizeAxis } from '../../tensor/shape.js';
import type { CumSum } from './cumulative.op.js';

// One invocation per line along the axis, scanning it in order (or from the end with `reverse`).
// The axis (input 1) is read on the device, so it may be computed by the graph: each invocation
// finds its line's length and stride from the shape; with the axis known on the host, the
// dispatch covers exactly the lines, else one invocation per element (the extra ones return).
function cumulativeKernel(op: string, identity: string, combine: string): GpuKernel<typeof CumSum.attrs> {
  return ([x, axisIn], { exclusive, reverse }, [out]) => {
    const rank = x!.shape.length;
    if (rank === 0) return `${op} of a scalar`;
    const t = wgslType(x!.dtype);
    const size = elementCount(x!.shape);
    const known = axisIn!.value ? normalizeAxis(axisIn!.value.toNumbers()[0]!, rank) : undefined;
    const lines = known === undefined ? size : size / Math.max(1, x!.shape[known]!);
    const u = new Uniforms().add('size', 'u32', size).add('shape', 'u32', x!.shape);
    const dims = Array.from({ length: rank }, (_, d) => `
    if (axis == ${d}) { n = ${u.at('shape', d)}; } else if (axis < ${d}) { inner = inner * ${u.at('shape', d)}; }`).join('');
    const step = `acc = ${combine.replace('$v', `X[at]`)};`;
    const store = `Y[at] = ${narrow('acc', out!.dtype)};`;
    const body = `var axis = A[0];
    if (axis < 0) { axis = axis + ${rank}; }
    var n = 1u; var inner = 1u;${dims}
    if (n == 0u || gi >= ${u.at('size')} / n) { return; }
    let base = (gi / inner) * n * inner + gi % inner;
    var acc = ${t}(${identity});
    for (var s = 0u; s < n; s = s + 1u) {
      let at = base + ${reverse ? '(n - 1u - s)' : 's'} * inner;
      ${exclusive ? `${store} ${step}` : `${step} ${store}`}
    }`;
    return {
      programs: [{
        key: `${op}:${t}>${out!.dtype}:r${rank}:${exclusive}:${reverse}`,
        source: () => `${storage(0, 'X', t, 'read')}${storage(1, 'A', 'i32', 'read')}${storage(2, 'Y', t, 'read_write')}${u.declare(3)}\n${linearMain(body)}`,
        bindings: [{ input: 0 }, { input: 1 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(lines),
      }],
    };
  };
}

export const cumSumWgsl = cumulativeKernel('CumSum', '0', 'acc + $v');
export const cumProdWgsl = cumulativeKernel('CumProd', '1', 'acc * $v');
