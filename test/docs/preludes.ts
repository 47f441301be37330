// What some doc examples take as given. docs/partition.md and docs/mxnet.md show fragments that
// start from "your graph" or "your checkpoint's bytes"; CI runs them after this code, which defines
// exactly those names from small seeded models. Keyed by doc; prepended to each of its ts programs.
// `SRC` is replaced by the project's src/ folder.

export const PRELUDES: Record<string, string> = {
  // `graph`: input x [1,3,224,224], a node named 'fc' and a Softmax, as the fragment's options assume
  'docs/partition.md': `
import * as __nnrt from 'SRC/index.ts';
const graph = (() => {
  const b = new __nnrt.GraphBuilder('doc_partition', 17);
  const w = (name: string, shape: number[], seed: number) => b.constant(name, __nnrt.uniformTensor(shape, seed, -0.1, 0.1));
  const x = b.input('x', 'float32', [1, 3, 224, 224]);
  let h = b.op('Relu', [b.op('Conv', [x, w('w0', [8, 3, 3, 3], 1), w('b0', [8], 2)], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })]);
  h = b.op('Relu', [b.op('Conv', [h, w('w1', [8, 8, 3, 3], 3), w('b1', [8], 4)], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] })]);
  h = b.op('Flatten', [b.op('GlobalAveragePool', [h])], { axis: 1 });
  h = b.op('Gemm', [h, w('fc_w', [10, 8], 5), w('fc_b', [10], 6)], { transB: 1 }, 'fc');
  b.output(b.op('Softmax', [h], { axis: 1 }));
  return b.graph;
})();
`,
  // `symbolJson` and `paramsBytes`: an MXNet checkpoint of the zoo's CIFAR ResNet-20 v2 (data [1,3,224,224] fits it too)
  'docs/mxnet.md': `
import * as __nnrt from 'SRC/index.ts';
const { symbolJson, params: paramsBytes } = __nnrt.vision.cifar_resnet20_v2().initialize({ seed: 1 }).exportMxnet({ dtype: 'float32', shape: [1, 3, 32, 32] });
`,
};
