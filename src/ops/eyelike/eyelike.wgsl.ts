import { wgslType } from '../../devices/webgpu/dtype.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import type { EyeLike } from './eyelike.op.js';

// Ones on diagonal k (column = row + k) of the 2-D output, zeros elsewhere; the input is not read.
export const eyeLikeWgsl: GpuKernel<typeof EyeLike.attrs> = (_inputs, { k }, [out]) => {
  if (out!.dtype === 'string') return 'EyeLike to string';
  const t = wgslType(out!.dtype);
  const [rows, cols] = out!.shape as [number, number];
  const u = new Uniforms().add('dims', 'u32', [rows * cols, cols]).add('k', 'i32', k);
  const body = `if (gi >= ${u.at('dims', 0)}) { return; }
    let cols = ${u.at('dims', 1)};
    let onDiagonal = i32(gi % cols) - i32(gi / cols) == ${u.at('k')};
    Y[gi] = select(${t}(0), ${t}(1), onDiagonal);`;
  return {
    programs: [{
      key: `eyelike:${t}`,
      source: () => `${storage(0, 'Y', t, 'read_write')}${u.declare(1)}\n${linearMain(body)}`,
      bindings: [{ output: 0 }], uniforms: u, workgroups: linearDispatch(rows * cols),
    }],
  };
};
