import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import type { BatchNormalization } from './batchnormalization.op.js';

// Inference: y = (x − mean[c]) · scale[c] / √(var[c] + ε) + B[c], c = the element's dim-1 index.
export const batchNormWgsl: GpuKernel<typeof BatchNormalization.attrs> = ([x], a, outs) => {
  if (a.training_mode || outs.length > 1) return 'BatchNormalization in training mode';
  const out = outs[0]!;
  const size = x!.shape.reduce((p, d) => p * d, 1);
  const inner = x!.shape.slice(2).reduce((p, d) => p * d, 1);
  const u = new Uniforms().add('dims', 'u32', [size, inner, x!.shape[1]!]).add('eps', 'f32', a.epsilon);
  const body = `if (gi >= ${u.at('dims', 0)}) { return; }
    let c = (gi / ${u.at('dims', 1)}) % ${u.at('dims', 2)};
    let k = Scale[c] / sqrt(Var[c] + ${u.at('eps')});
    Y[gi] = ${narrow('(X[gi] - Mean[c]) * k + Bias[c]', out.dtype)};`;
  const decls = ['X', 'Scale', 'Bias', 'Mean', 'Var'].map((n, i) => storage(i, n, 'f32', 'read')).join('') + storage(5, 'Y', 'f32', 'read_write');
  return {
    programs: [{
      key: `batchnorm:${out.dtype}`,
      source: () => `${decls}${u.declare(6)}\n${linearMain(body)}`,
      bindings: [...[0, 1, 2, 3, 4].map((i) => ({ input: i })), { output: 0 }],
      uniforms: u, workgroups: linearDispatch(size),
    }],
  };
};
