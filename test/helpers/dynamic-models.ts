// Small ONNX models with symbolic dims, written field by field, for the dynamic-shape tests:
// a conv net with a dynamic batch, and an attention block with dynamic batch and sequence whose
// head split is a Reshape to a shape computed from Shape(x) (the pattern exporters emit).
import { ATTR_TYPE, ModelProto, ONNX_DTYPE } from '../../src/onnx/proto.js';
import { randomTensor } from './ort-reference.js';

const f32 = (name: string, dims: number[], seed: number, scale = 0.5) => {
  const t = randomTensor(dims, seed, -scale, scale);
  return { name, dims, dataType: ONNX_DTYPE.FLOAT, rawData: new Uint8Array(t.data.buffer) };
};
const i64 = (name: string, v: number[]) => ({ name, dims: [v.length], dataType: ONNX_DTYPE.INT64, int64Data: v });
const ints = (name: string, v: number[]) => ({ name, type: ATTR_TYPE.INTS, ints: v });
const int = (name: string, i: number) => ({ name, type: ATTR_TYPE.INT, i });
const dims = (d: (number | string)[]) => ({ dim: d.map((x) => (typeof x === 'number' ? { dimValue: x } : { dimParam: x })) });
const io = (name: string, d: (number | string)[]) => ({ name, type: { tensorType: { elemType: ONNX_DTYPE.FLOAT, shape: dims(d) } } });

function encode(graph: object): Uint8Array {
  const msg = ModelProto.fromObject({ irVersion: 8, producerName: 'nnrt-test', opsetImport: [{ domain: '', version: 17 }], graph });
  return new Uint8Array(ModelProto.encode(msg).finish());
}

/** x[batch,3,8,8] → Conv 3×3 (8 ch) → Relu → MaxPool 2 → Conv 1×1 (4 ch) → Flatten → Gemm(64→5) → Softmax; y[batch,5]. */
export function dynamicBatchConvNet(): Uint8Array {
  return encode({
    name: 'dyn_cnn',
    node: [
      { name: 'conv1', opType: 'Conv', input: ['x', 'w1', 'b1'], output: ['c1'], attribute: [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])] },
      { name: 'relu', opType: 'Relu', input: ['c1'], output: ['r1'] },
      { name: 'pool', opType: 'MaxPool', input: ['r1'], output: ['p1'], attribute: [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])] },
      { name: 'conv2', opType: 'Conv', input: ['p1', 'w2', 'b2'], output: ['c2'], attribute: [ints('kernel_shape', [1, 1])] },
      { name: 'flatten', opType: 'Flatten', input: ['c2'], output: ['f'], attribute: [int('axis', 1)] },
      { name: 'fc', opType: 'Gemm', input: ['f', 'fw', 'fb'], output: ['l'], attribute: [int('transB', 1)] },
      { name: 'softmax', opType: 'Softmax', input: ['l'], output: ['y'], attribute: [int('axis', 1)] },
    ],
    initializer: [f32('w1', [8, 3, 3, 3], 1), f32('b1', [8], 2), f32('w2', [4, 8, 1, 1], 3), f32('b2', [4], 4), f32('fw', [5, 64], 5), f32('fb', [5], 6)],
    input: [io('x', ['batch', 3, 8, 8])],
    output: [io('y', ['batch', 5])],
  });
}

/**
 * x[batch,seq,16] → Q, K, V projections → Reshape to [batch, seq, 2, 8] with the shape from
 * Shape(x) → Transpose → scores, Softmax, context → Transpose → Reshape back → LayerNorm(x + out).
 */
export function dynamicAttention(): Uint8Array {
  const proj = (n: string, w: string) => [
    { name: `${n}_mm`, opType: 'MatMul', input: ['x', w], output: [`${n}_p`] },
    { name: `${n}_split`, opType: 'Reshape', input: [`${n}_p`, 'heads_shape'], output: [`${n}_h`] },
  ];
  return encode({
    name: 'dyn_attention',
    node: [
      { name: 'shape', opType: 'Shape', input: ['x'], output: ['xs'] },
      { name: 'bs', opType: 'Slice', input: ['xs', 'zero', 'two'], output: ['bs'] },
      { name: 'heads_cat', opType: 'Concat', input: ['bs', 'heads'], output: ['heads_shape'], attribute: [int('axis', 0)] },
      ...proj('q', 'wq'), ...proj('k', 'wk'), ...proj('v', 'wv'),
      { name: 'qt', opType: 'Transpose', input: ['q_h'], output: ['qt'], attribute: [ints('perm', [0, 2, 1, 3])] },
      { name: 'kt', opType: 'Transpose', input: ['k_h'], output: ['kt'], attribute: [ints('perm', [0, 2, 3, 1])] },
      { name: 'vt', opType: 'Transpose', input: ['v_h'], output: ['vt'], attribute: [ints('perm', [0, 2, 1, 3])] },
      { name: 'scores', opType: 'MatMul', input: ['qt', 'kt'], output: ['s'] },
      { name: 'scale', opType: 'Mul', input: ['s', 'inv_sqrt'], output: ['ss'] },
      { name: 'softmax', opType: 'Softmax', input: ['ss'], output: ['a'], attribute: [int('axis', -1)] },
      { name: 'context', opType: 'MatMul', input: ['a', 'vt'], output: ['ctx'] },
      { name: 'ctx_t', opType: 'Transpose', input: ['ctx'], output: ['ctx_t'], attribute: [ints('perm', [0, 2, 1, 3])] },
      { name: 'merge', opType: 'Reshape', input: ['ctx_t', 'xs'], output: ['m'] },
      { name: 'residual', opType: 'Add', input: ['x', 'm'], output: ['res'] },
      { name: 'norm', opType: 'LayerNormalization', input: ['res', 'gamma', 'beta'], output: ['y'], attribute: [int('axis', -1)] },
    ],
    initializer: [
      f32('wq', [16, 16], 11), f32('wk', [16, 16], 12), f32('wv', [16, 16], 13), f32('gamma', [16], 14), f32('beta', [16], 15),
      { name: 'inv_sqrt', dims: [], dataType: ONNX_DTYPE.FLOAT, floatData: [1 / Math.sqrt(8)] },
      i64('zero', [0]), i64('two', [2]), i64('heads', [2, 8]),
    ],
    input: [io('x', ['batch', 'seq', 16])],
    output: [io('y', ['batch', 'seq', 16])],
  });
}
