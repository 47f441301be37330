import type { BufferRef, GpuKernel } from '../../devices/webgpu/program.js';
import { narrow } from '../../devices/webgpu/elementwise.js';
import { coordsOf, linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { elementCount, stridesOf } from '../../tensor/shape.js';
import { parseEinsum, type Einsum } from './einsum.op.js';

// The direct sum of products, one invocation per output element: each operand is addressed by
// the element stride of every output label and every summed label (strides summed over a label
// repeated in one operand, which walks its diagonal; 0 where the operand lacks the label or
// broadcasts it), and the invocation loops over all combinations of the summed labels.
export const einsumWgsl: GpuKernel<typeof Einsum.attrs> = (inputs, a, [out], caps) => {
  if (inputs.length + 1 > caps.maxStorageBuffersPerStage) return `Einsum of ${inputs.length} operands binds more storage buffers than the device allows`;
  const shapes = inputs.map((t) => t!.shape);
  const spec = parseEinsum(a.equation, shapes);
  const summed = [...spec.sizes.keys()].filter((l) => !spec.output.includes(l));
  const strideOf = (i: number, l: string) => {
    const strides = stridesOf(shapes[i]!);
    return spec.operands[i]!.reduce((s, ol, d) => (ol === l && shapes[i]![d] !== 1 ? s + strides[d]! : s), 0);
  };
  const outDims = spec.output.map((l) => spec.sizes.get(l)!);
  const sumDims = summed.map((l) => spec.sizes.get(l)!);
  const size = elementCount(outDims);
  const u = new Uniforms().add('counts', 'u32', [size, elementCount(sumDims)])
    .add('outShape', 'u32', outDims).add('sumShape', 'u32', sumDims);
  inputs.forEach((_, i) => {
    u.add(`o${i}`, 'u32', spec.output.map((l) => strideOf(i, l)));
    u.add(`s${i}`, 'u32', summed.map((l) => strideOf(i, l)));
  });
  const dot = (field: string, rank: number, prefix: string) =>
    Array.from({ length: rank }, (_, d) => `${prefix}${d} * ${u.at(field, d)}`).join(' + ') || '0u';
  const bases = inputs.map((_, i) => `let base${i} = ${dot(`o${i}`, outDims.length, 'c')};`).join('\n    ');
  const product = inputs.map((_, i) => `X${i}[base${i} + ${dot(`s${i}`, sumDims.length, 'r')}]`).join(' * ');
  const body = `if (gi >= ${u.at('counts', 0)}) { return; }
    ${outDims.length ? coordsOf(u, 'outShape', outDims.length, 'gi', 'c') : ''}
    ${bases}
    var acc = 0.0;
    for (var s = 0u; s < ${u.at('counts', 1)}; s = s + 1u) {
      ${sumDims.length ? coordsOf(u, 'sumShape', sumDims.length, 's', 'r') : ''}
      acc = acc + ${product};
    }
    Y[gi] = ${narrow('acc', out!.dtype)};`;
  const bindings: BufferRef[] = [...inputs.map((_, i) => ({ input: i })), { output: 0 }];
  return {
    programs: [{
      key: `einsum:${out!.dtype}:n${inputs.length}:o${outDims.length}:s${sumDims.length}`,
      source: () => `${inputs.map((_, i) => storage(i, `X${i}`, 'f32', 'read')).join('')}${storage(inputs.length, 'Y', 'f32', 'read_write')}${u.declare(inputs.length + 1)}\n${linearMain(body)}`,
      bindings, uniforms: u, workgroups: linearDispatch(size),
    }],
  };
};
