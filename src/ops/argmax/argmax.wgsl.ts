import { wgslType } from '../../devices/webgpu/dtype.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { normalizeAxis } from '../../tensor/shape.js';
import type { ArgMax } from './argmax.op.js';

// ArgMax / ArgMin: one invocation per output element scans its `len` values `inner` apart. The
// first extreme wins (strict comparison), the last with select_last_index (non-strict); a NaN
// never compares, as on the CPU.
export function argExtremeWgsl(largest: boolean): GpuKernel<typeof ArgMax.attrs> {
  return ([x], a, [out]) => {
    const axis = normalizeAxis(a.axis, x!.shape.length);
    const len = x!.shape[axis] ?? 1;
    if (len === 0) return 'an empty reduction axis';
    const inner = x!.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const count = out!.shape.reduce((p, d) => p * d, 1);
    const u = new Uniforms().add('dims', 'u32', [count, len, inner]);
    const [COUNT, LEN, INNER] = [0, 1, 2].map((i) => u.at('dims', i));
    const t = wgslType(x!.dtype);
    const cmp = `${largest ? '>' : '<'}${a.select_last_index ? '=' : ''}`;
    const body = `if (gi >= ${COUNT}) { return; }
    let base = (gi / ${INNER}) * ${LEN} * ${INNER} + gi % ${INNER};
    var best = X[base];
    var at = 0u;
    for (var k = 1u; k < ${LEN}; k = k + 1u) {
      let v = X[base + k * ${INNER}];
      if (v ${cmp} best) { best = v; at = k; }
    }
    Y[gi] = i32(at);`;
    return {
      programs: [{
        key: `argextreme:${largest}:${a.select_last_index}:${t}`,
        source: () => `${storage(0, 'X', t, 'read')}${storage(1, 'Y', 'i32', 'read_write')}${u.declare(2)}\n${linearMain(body)}`,
        bindings: [{ input: 0 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(count),
      }],
    };
  };
}
