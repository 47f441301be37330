import { wgslType } from '../../devices/webgpu/dtype.js';
import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import type { HannWindow } from './window-functions.op.js';

/** w(x) in WGSL over x = 2πn/N, as the CPU kernels compute them. */
const WINDOWS = {
  HannWindow: '0.5 - 0.5 * cos(x)',
  HammingWindow: '0.54347826 - 0.45652174 * cos(x)', // 25/46 and 21/46
  BlackmanWindow: '0.42 - 0.5 * cos(x) + 0.08 * cos(2.0 * x)',
} as const;

// w[n] for n < size over N = size (periodic) or size − 1 (symmetric); the size is a host value.
export function windowWgsl(op: keyof typeof WINDOWS): GpuKernel<typeof HannWindow.attrs> {
  return (_inputs, { periodic }, [out]) => {
    if (out!.dtype === 'string') return `${op} to string`;
    const n = out!.shape[0]!;
    const t = wgslType(out!.dtype);
    const u = new Uniforms().add('n', 'u32', n).add('step', 'f32', (2 * Math.PI) / (periodic ? n : n - 1));
    const body = `if (gi >= ${u.at('n')}) { return; }
    let x = f32(gi) * ${u.at('step')};
    Y[gi] = ${narrow(`${t}(${WINDOWS[op]})`, out!.dtype)};`;
    return {
      programs: [{
        key: `window:${op}:${out!.dtype}`,
        source: () => `${storage(0, 'Y', t, 'read_write')}${u.declare(1)}\n${linearMain(body)}`,
        bindings: [{ output: 0 }], uniforms: u, workgroups: linearDispatch(n),
      }],
    };
  };
}
