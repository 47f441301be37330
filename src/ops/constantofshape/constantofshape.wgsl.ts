import { wgslType } from '../../devices/webgpu/dtype.js';
import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { elementCount } from '../../tensor/shape.js';
import type { ConstantOfShape } from './constantofshape.op.js';

// Every output element is `value`'s one element (a uniform in the device type; default float 0).
export const constantOfShapeWgsl: GpuKernel<typeof ConstantOfShape.attrs> = (_inputs, { value }, [out]) => {
  if (out!.dtype === 'string') return 'ConstantOfShape of a string value';
  const v = value ? value.numeric()[0]! : 0;
  if (out!.dtype === 'int64' && (v > 2147483647 || v < -2147483648)) return `value ${v} does not fit the device's 32-bit integers`;
  const t = wgslType(out!.dtype);
  const size = elementCount(out!.shape);
  const u = new Uniforms().add('size', 'u32', size).add('value', t, v);
  const body = `if (gi >= ${u.at('size')}) { return; }
    Y[gi] = ${narrow(u.at('value'), out!.dtype)};`;
  return {
    programs: [{
      key: `constantofshape:${out!.dtype}`,
      source: () => `${storage(0, 'Y', t, 'read_write')}${u.declare(1)}\n${linearMain(body)}`,
      bindings: [{ output: 0 }], uniforms: u, workgroups: linearDispatch(size),
    }],
  };
};
