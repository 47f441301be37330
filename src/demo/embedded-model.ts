import { GraphBuilder } from '../ir/builder.js';
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../tensor/tensor.js';
import { uniformTensor } from '../tensor/random.js';

/** Seeded uniform floats in [−scale, scale): the embedded model's weights are reproducible everywhere. */
export function seededUniform(shape: number[], seed: number, scale: number): Tensor<'float32'> {
  return uniformTensor(shape, seed, -scale, scale);
}

/**
 * The embedded default model: a small residual CNN (conv-BN-ReLU stem, two residual blocks with a
 * depthwise separable conv, global pooling, classifier, softmax) on 3×64×64 images, seeded weights.
 * It needs no download and exercises the common CNN ops end to end.
 */
export function embeddedCnn(batch = 1): Graph {
  const b = new GraphBuilder('nnrt_embedded_cnn', 13);
  let seed = 1;
  const w = (name: string, shape: number[]) => b.constant(name, seededUniform(shape, seed++, Math.sqrt(3 / (shape.slice(1).reduce((x, y) => x * y, 1) || 1))));
  const bn = (x: string, c: number) =>
    b.op('BatchNormalization', [x, b.constant('gamma', seededUniform([c], seed++, 0.2).map1((v) => 1 + v)), w('beta', [c]),
      b.constant('mean', seededUniform([c], seed++, 0.1)), b.constant('var', seededUniform([c], seed++, 0.2).map1((v) => 1 + v))], { epsilon: 1e-5 });
  const conv = (x: string, cin: number, cout: number, k: number, stride = 1, group = 1) =>
    b.op('Conv', [x, w('conv_w', [cout, cin / group, k, k])], { kernel_shape: [k, k], strides: [stride, stride], pads: [k >> 1, k >> 1, k >> 1, k >> 1], group });
  const x = b.input('image', 'float32', [batch, 3, 64, 64]);
  let h = b.op('Relu', [bn(conv(x, 3, 16, 3, 2), 16)]);
  for (const c of [16, 16]) {
    const dw = b.op('Relu', [bn(conv(h, c, c, 3, 1, c), c)]);
    const pw = bn(conv(dw, c, c, 1), c);
    h = b.op('Relu', [b.op('Add', [pw, h])]);
  }
  h = b.op('MaxPool', [h], { kernel_shape: [2, 2], strides: [2, 2] });
  h = b.op('Flatten', [b.op('GlobalAveragePool', [h])], { axis: 1 });
  const logits = b.op('Gemm', [h, w('fc_w', [10, 16]), w('fc_b', [10])], { transB: 1 }, 'classifier');
  const probs = b.op('Softmax', [logits], { axis: 1 }, 'probabilities');
  b.output(probs);
  return b.graph;
}
