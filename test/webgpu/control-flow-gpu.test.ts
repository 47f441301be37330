// Control flow on WebGPU: a graph holding If and Loop runs on the GPU executor. The Conv before,
// the If's branches, the Loop's body and the MatMul after all run on the device; only the If's
// condition is read back (one transfer); outputs equal onnxruntime's for inputs taking either branch.
// More control-flow models (bodies doing MatMul/Conv, Scan, nesting): control-flow-bodies.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importOnnx } from '../../src/onnx/import/model.js';
import { ATTR_TYPE, ModelProto, ONNX_DTYPE } from '../../src/onnx/proto.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;
const F = ONNX_DTYPE.FLOAT;
const I64 = ONNX_DTYPE.INT64;
const vi = (name: string, elemType: number, dims: number[]) => ({ name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
const node = (opType: string, input: string[], output: string[], attribute: object[] = []) => ({ name: output[0], opType, input, output, attribute });
const floats = (name: string, t: Tensor) => ({ name, dims: [...t.shape], dataType: F, floatData: [...t.toNumbers()] });
const ints = (name: string, dims: number[], v: number[]) => ({ name, dims, dataType: I64, int64Data: v.map(String) });
const graphAttr = (name: string, g: object) => ({ name, type: ATTR_TYPE.GRAPH, g });

/**
 * c = Conv(x, w) [1,3,6,6]; r = If(ReduceSum(c) > 0) then Relu(c) else Neg(c), both reading the
 * outer c; f = Flatten(r) [1,108]; l = Loop(3, true, f) with body Tanh(f_in · 0.5) and a scan
 * output of each iteration; y = MatMul(l, w2) [1,4]; z = Conv(Reshape(l), w) after the Loop.
 */
function model(): Uint8Array {
  const then = { name: 'then', node: [node('Relu', ['c'], ['rt'])], output: [vi('rt', F, [1, 3, 6, 6])] };
  const els = { name: 'else', node: [node('Neg', ['c'], ['re'])], output: [vi('re', F, [1, 3, 6, 6])] };
  const body = {
    name: 'body',
    input: [vi('i', I64, []), vi('cin', ONNX_DTYPE.BOOL, []), vi('f_in', F, [1, 108])],
    node: [node('Identity', ['cin'], ['cout']), node('Mul', ['f_in', 'half'], ['h']), node('Tanh', ['h'], ['f_out']), node('Identity', ['f_out'], ['scan'])],
    output: [vi('cout', ONNX_DTYPE.BOOL, []), vi('f_out', F, [1, 108]), vi('scan', F, [1, 108])],
  };
  const msg = ModelProto.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 18 }],
    graph: {
      name: 'control_flow_on_gpu',
      input: [vi('x', F, [1, 2, 6, 6])],
      initializer: [
        floats('w', randomTensor([3, 2, 3, 3], 11)), floats('w2', randomTensor([108, 4], 12)), floats('wz', randomTensor([2, 3, 3, 3], 13)),
        floats('zero', Tensor.fromNumeric('float32', [], [0])), floats('half', Tensor.fromNumeric('float32', [], [0.5])),
        ints('trips', [], [3]), { name: 'go', dims: [], dataType: ONNX_DTYPE.BOOL, int32Data: [1] }, ints('back', [4], [1, 3, 6, 6]),
      ],
      node: [
        node('Conv', ['x', 'w'], ['c'], [{ name: 'pads', type: ATTR_TYPE.INTS, ints: [1, 1, 1, 1] }]),
        node('ReduceSum', ['c'], ['s'], [{ name: 'keepdims', type: ATTR_TYPE.INT, i: 0 }]),
        node('Greater', ['s', 'zero'], ['positive']),
        node('If', ['positive'], ['r'], [graphAttr('then_branch', then), graphAttr('else_branch', els)]),
        node('Flatten', ['r'], ['f']),
        node('Loop', ['trips', 'go', 'f'], ['l', 'steps'], [graphAttr('body', body)]),
        node('MatMul', ['l', 'w2'], ['y']),
        node('Reshape', ['l', 'back'], ['lb']),
        node('Conv', ['lb', 'wz'], ['z']),
      ],
      output: [{ name: 'y' }, { name: 'z' }, { name: 'steps' }],
    },
  });
  return new Uint8Array(ModelProto.encode(msg).finish());
}

test('If branches and the Loop body run on the GPU between the Conv and the MatMul and match onnxruntime', { skip }, async () => {
  const bytes = model();
  const session = await createSession(importOnnx(bytes).graph, { device: 'webgpu' });
  try {
    // the Conv has no bias: x and −x give sums of opposite signs, so both branches run
    for (const [seed, sign] of [[1, 1], [1, -1], [2, 1]] as const) {
      const x = Tensor.fromNumeric('float32', [1, 2, 6, 6], randomTensor([1, 2, 6, 6], seed).toNumbers().map((v) => sign * v));
      const want = await runOrt(bytes, { x });
      const got = await session.run({ x });
      for (const k of ['y', 'z', 'steps']) {
        const c = compareTensors(got[k]!, want[k]!, FP32_TOLERANCE);
        assert.ok(c.pass, `seed ${seed} sign ${sign} ${k}: ${c.reason ?? JSON.stringify(c)}`);
      }
      assert.deepEqual(got.steps!.shape, [3, 1, 108]);
      // the If's branches and the Loop's body run on the device: nothing falls back; the one value
      // read back is the If's condition (the Loop's trip count is a constant and its body hands
      // its condition through)
      const stats = session.stats();
      assert.deepEqual(stats.webgpu!.fallbacks, []);
      assert.equal(stats.transfers, 1);
    }
  } finally {
    session.dispose();
  }
});

test('a sequence built from GPU results and concatenated back matches onnxruntime', { skip }, async () => {
  // a = Relu(x), b = Sigmoid(x) on the device; SequenceConstruct / SequenceInsert / ConcatFromSequence
  // on the host; y = Add(seq result, 1) back on the device
  const msg = ModelProto.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 18 }],
    graph: {
      name: 'sequence_on_gpu',
      input: [vi('x', F, [3, 5])],
      initializer: [floats('one', Tensor.fromNumeric('float32', [], [1]))],
      node: [
        node('Relu', ['x'], ['a']), node('Sigmoid', ['x'], ['b']),
        node('SequenceConstruct', ['a', 'b'], ['seq']), node('SequenceInsert', ['seq', 'x'], ['seq2']),
        node('ConcatFromSequence', ['seq2'], ['cat'], [{ name: 'axis', type: ATTR_TYPE.INT, i: 1 }]),
        node('Add', ['cat', 'one'], ['y']),
      ],
      output: [{ name: 'y' }],
    },
  });
  const bytes = new Uint8Array(ModelProto.encode(msg).finish());
  const x = randomTensor([3, 5], 5);
  const want = await runOrt(bytes, { x });
  const session = await createSession(importOnnx(bytes).graph, { device: 'webgpu' });
  try {
    const got = await session.run({ x });
    assert.ok(compareTensors(got.y!, want.y!, FP32_TOLERANCE).pass);
    const ops = session.stats().webgpu!.fallbacks.map((f) => f.op).sort();
    assert.deepEqual(ops, ['ConcatFromSequence', 'SequenceConstruct', 'SequenceInsert']);
  } finally {
    session.dispose();
  }
});
