// A small CNN as ONNX bytes, written field by field (no exporter involved), for parser and CLI tests:
// x[1,2,6,6] → Conv(3×3, 4 ch, pad 1) → Relu → MaxPool(2) → Reshape([1,36]) → Gemm(36→3) → Softmax.
import { ModelProto, ONNX_DTYPE, ATTR_TYPE } from '../../src/onnx/proto.js';
import { randomTensor } from './ort-reference.js';

const f32 = (name: string, dims: number[], seed: number) => {
  const t = randomTensor(dims, seed, -0.5, 0.5);
  return { name, dims, dataType: ONNX_DTYPE.FLOAT, rawData: new Uint8Array(t.data.buffer) };
};
const ints = (name: string, v: number[]) => ({ name, type: ATTR_TYPE.INTS, ints: v });

export function smallCnnModel(opts: { opType?: string; dropInitializer?: string } = {}): Uint8Array {
  const msg = ModelProto.fromObject({
    irVersion: 8,
    producerName: 'nnrt-test',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'small_cnn',
      node: [
        { name: 'conv', opType: 'Conv', input: ['x', 'w', 'b'], output: ['c'], attribute: [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])] },
        { name: 'relu', opType: opts.opType ?? 'Relu', input: ['c'], output: ['r'] },
        { name: 'pool', opType: 'MaxPool', input: ['r'], output: ['p'], attribute: [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])] },
        { name: 'reshape', opType: 'Reshape', input: ['p', 'shape'], output: ['f'] },
        { name: 'fc', opType: 'Gemm', input: ['f', 'fw', 'fb'], output: ['l'], attribute: [{ name: 'transB', type: ATTR_TYPE.INT, i: 1 }] },
        { name: 'softmax', opType: 'Softmax', input: ['l'], output: ['y'], attribute: [{ name: 'axis', type: ATTR_TYPE.INT, i: 1 }] },
      ],
      initializer: [
        f32('w', [4, 2, 3, 3], 1), f32('b', [4], 2), f32('fw', [3, 36], 3), f32('fb', [3], 4),
        { name: 'shape', dims: [2], dataType: ONNX_DTYPE.INT64, int64Data: [1, 36] },
      ].filter((t) => t.name !== opts.dropInitializer),
      input: [{ name: 'x', type: { tensorType: { elemType: ONNX_DTYPE.FLOAT, shape: { dim: [1, 2, 6, 6].map((d) => ({ dimValue: d })) } } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: ONNX_DTYPE.FLOAT, shape: { dim: [{ dimValue: 1 }, { dimValue: 3 }] } } } }],
    },
  });
  // copy: protobufjs may hand out a view of a pooled buffer that later encodes overwrite (in Node a
  // Buffer, whose slice() is a view too)
  return new Uint8Array(ModelProto.encode(msg).finish());
}
