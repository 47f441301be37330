import { wgslType } from '../../devices/webgpu/dtype.js';
import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { scalarOf, type Range } from './range.op.js';

// y[i] = start + i·delta. start and delta are host values (they decide the shape), passed as
// uniforms; floats use one fused multiply-add, so each element is rounded once, as on the CPU.
export const rangeWgsl: GpuKernel<typeof Range.attrs> = ([start, , delta], _a, [out]) => {
  const s = scalarOf(start!, 'start');
  const d = scalarOf(delta!, 'delta');
  const n = out!.shape[0]!;
  const t = wgslType(out!.dtype);
  const float = t === 'f32';
  if (!float && [s, s + (n - 1) * d].some((v) => v > 2147483647 || v < -2147483648)) {
    return `Range from ${s} by ${d} leaves the device's 32-bit integers`;
  }
  const u = new Uniforms().add('n', 'u32', n).add('sd', float ? 'f32' : 'i32', [s, d]);
  const [S, D] = [u.at('sd', 0), u.at('sd', 1)];
  const value = float ? `fma(f32(gi), ${D}, ${S})` : `${t}(${S} + i32(gi) * ${D})`;
  const body = `if (gi >= ${u.at('n')}) { return; }
    Y[gi] = ${narrow(value, out!.dtype)};`;
  return {
    programs: [{
      key: `range:${out!.dtype}`,
      source: () => `${storage(0, 'Y', t, 'read_write')}${u.declare(1)}\n${linearMain(body)}`,
      bindings: [{ output: 0 }], uniforms: u, workgroups: linearDispatch(n),
    }],
  };
};
