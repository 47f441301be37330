// Control-flow bodies on the GPU: models whose If branches, Loop bodies and Scan bodies do real
// device work (MatMul, Conv, LSTM, Add) run against onnxruntime-node. Every body node runs on the
// device (no fallbacks), and the only values read back are those that decide control: If's
// condition, a Loop's trip count and the condition its body computes. Carried values, outer values
// and Scan slices stay on the device.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importOnnx } from '../../src/onnx/import/model.js';
import { ATTR_TYPE, ModelProto, ONNX_DTYPE } from '../../src/onnx/proto.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { attrProto, randomTensor, runOrt, tensorProto, type AttrSpec } from '../helpers/ort-reference.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;
const F = ONNX_DTYPE.FLOAT;
const I64 = ONNX_DTYPE.INT64;
const BOOL = ONNX_DTYPE.BOOL;
const vi = (name: string, elemType: number, dims?: number[]) => ({ name, type: { tensorType: { elemType, ...(dims ? { shape: { dim: dims.map((d) => ({ dimValue: d })) } } : {}) } } });
const node = (opType: string, input: string[], output: string[], attrs: Record<string, AttrSpec | { graph: object }> = {}) => ({
  name: output[0], opType, input, output,
  attribute: Object.entries(attrs).map(([k, v]) => (typeof v === 'object' && 'graph' in v ? { name: k, type: ATTR_TYPE.GRAPH, g: v.graph } : attrProto(k, v as AttrSpec))),
});
const f32 = (shape: number[], values: number[]) => Tensor.fromNumeric('float32', shape, values);
const i64 = (shape: number[], values: number[]) => Tensor.fromNumeric('int64', shape, values);
const bool = (v: boolean) => Tensor.fromNumeric('bool', [], [v ? 1 : 0]);

function encode(name: string, inputs: object[], initializers: Record<string, Tensor>, nodes: object[], outputs: string[], opset = 18): Uint8Array {
  const msg = ModelProto.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name, input: inputs, node: nodes, output: outputs.map((o) => ({ name: o })),
      initializer: Object.entries(initializers).map(([k, t]) => tensorProto(k, t)),
    },
  });
  return new Uint8Array(ModelProto.encode(msg).finish());
}

/** Runs the model on webgpu and onnxruntime for each feed set; checks the outputs, no fallbacks and the transfers. */
async function checkAgainstOrt(bytes: Uint8Array, feedSets: Record<string, Tensor>[], transfers: (feeds: Record<string, Tensor>, want: Record<string, Tensor>) => number): Promise<void> {
  const session = await createSession(importOnnx(bytes).graph, { device: 'webgpu' });
  try {
    for (const [k, feeds] of feedSets.entries()) {
      const want = await runOrt(bytes, feeds);
      const got = await session.run(feeds);
      for (const name of Object.keys(want)) {
        const c = compareTensors(got[name]!, want[name]!, FP32_TOLERANCE);
        assert.ok(c.pass, `feed set ${k}, output ${name}: ${c.reason ?? JSON.stringify(c)}`);
      }
      const stats = session.stats();
      assert.deepEqual(stats.webgpu!.fallbacks, [], `feed set ${k}`);
      assert.equal(stats.transfers, transfers(feeds, want), `feed set ${k}: transfers`);
    }
  } finally {
    session.dispose();
  }
}

test('a for-Loop whose body multiplies the carried state by an outer weight reads nothing back', { skip }, async () => {
  // h = Relu(x); for 3 steps: h = Tanh(h·W + Sigmoid(x)), scan out 2h; y = h·W2
  const body = {
    name: 'body',
    input: [vi('i', I64, []), vi('cin', BOOL, []), vi('h_in', F, [2, 8])],
    node: [
      node('MatMul', ['h_in', 'W'], ['mm']), node('Add', ['mm', 'sx'], ['a']), node('Tanh', ['a'], ['h_out']),
      node('Identity', ['cin'], ['cout']), node('Mul', ['h_out', 'two'], ['scan']),
    ],
    output: [vi('cout', BOOL, []), vi('h_out', F, [2, 8]), vi('scan', F, [2, 8])],
  };
  const bytes = encode('for_loop', [vi('x', F, [2, 8])], {
    W: randomTensor([8, 8], 3), W2: randomTensor([8, 5], 4), two: f32([], [2]), trips: i64([], [3]), go: bool(true),
  }, [
    node('Relu', ['x'], ['h0']), node('Sigmoid', ['x'], ['sx']),
    node('Loop', ['trips', 'go', 'h0'], ['h', 'hs'], { body: { graph: body } }),
    node('MatMul', ['h', 'W2'], ['y']),
  ], ['y', 'hs']);
  await checkAgainstOrt(bytes, [{ x: randomTensor([2, 8], 1) }, { x: randomTensor([2, 8], 2) }], () => 0);
});

test('a while-Loop reads back only the condition its body computes, once per iteration', { skip }, async () => {
  // no trip count; the body counts c up to the outer limit and stops when c ≥ limit
  const body = {
    name: 'body',
    input: [vi('i', I64, []), vi('cin', BOOL, []), vi('h_in', F, [1, 6]), vi('c_in', F, [])],
    node: [
      node('MatMul', ['h_in', 'W'], ['mm']), node('Add', ['mm', 'b'], ['a']), node('Tanh', ['a'], ['h_out']),
      node('Add', ['c_in', 'one'], ['c_out']), node('Less', ['c_out', 'limit'], ['cout']),
    ],
    output: [vi('cout', BOOL, []), vi('h_out', F, [1, 6]), vi('c_out', F, [])],
  };
  const bytes = encode('while_loop', [vi('x', F, [1, 6]), vi('limit', F, [])], {
    W: randomTensor([6, 6], 5), b: randomTensor([1, 6], 6), one: f32([], [1]), zero: f32([], [0]), go: bool(true),
  }, [
    node('Abs', ['x'], ['h0']),
    node('Loop', ['', 'go', 'h0', 'zero'], ['h', 'count'], { body: { graph: body } }),
    node('Neg', ['h'], ['y']),
  ], ['y', 'count']);
  // the limit is a graph input: the iterations (one condition read each) are known from it
  await checkAgainstOrt(bytes, [{ x: randomTensor([1, 6], 7), limit: f32([], [4]) }, { x: randomTensor([1, 6], 8), limit: f32([], [2]) }],
    (feeds) => feeds.limit!.toNumbers()[0]!);
});

test('an If holding a Conv nested in a Loop, with an inner Loop whose result the outer body carries', { skip }, async () => {
  // outer body: r = If(sum(h) > 0) Conv(h, Wc) else h − 1; g = inner Loop(2 steps: g = Relu(g·Wm)) on r;
  // carried out: g itself (handed through to the next iteration); scan out: h + g, computed after
  // the inner Loop ran (so the carried value must not be overwritten by the next inner Loop)
  const then = { name: 'then', node: [node('Conv', ['h_in', 'Wc'], ['rc'], { pads: [1, 1, 1, 1] })], output: [vi('rc', F, [1, 2, 4, 4])] };
  const els = { name: 'else', node: [node('Sub', ['h_in', 'one'], ['rs'])], output: [vi('rs', F, [1, 2, 4, 4])] };
  const inner = {
    name: 'inner',
    input: [vi('j', I64, []), vi('cj', BOOL, []), vi('g_in', F, [1, 2, 4, 4])],
    node: [node('MatMul', ['g_in', 'Wm'], ['gm']), node('Relu', ['gm'], ['g_out']), node('Identity', ['cj'], ['cj_out'])],
    output: [vi('cj_out', BOOL, []), vi('g_out', F, [1, 2, 4, 4])],
  };
  const outer = {
    name: 'outer',
    input: [vi('i', I64, []), vi('ci', BOOL, []), vi('h_in', F, [1, 2, 4, 4])],
    node: [
      node('ReduceSum', ['h_in'], ['s'], { keepdims: 0 }), node('Greater', ['s', 'zero'], ['pos']),
      node('If', ['pos'], ['r'], { then_branch: { graph: then }, else_branch: { graph: els } }),
      node('Loop', ['two', 'go', 'r'], ['g'], { body: { graph: inner } }),
      node('Add', ['h_in', 'g'], ['sum']), node('Identity', ['ci'], ['ci_out']),
    ],
    output: [vi('ci_out', BOOL, []), vi('g', F, [1, 2, 4, 4]), vi('sum', F, [1, 2, 4, 4])],
  };
  const bytes = encode('nested', [vi('x', F, [1, 2, 4, 4])], {
    Wc: randomTensor([2, 2, 3, 3], 9), Wm: randomTensor([4, 4], 10, -0.5, 1), one: f32([], [1]), zero: f32([], [0]),
    two: i64([], [2]), three: i64([], [3]), go: bool(true),
  }, [
    node('Loop', ['three', 'go', 'x'], ['h', 'sums'], { body: { graph: outer } }),
  ], ['h', 'sums']);
  // one If condition read per outer iteration
  await checkAgainstOrt(bytes, [{ x: randomTensor([1, 2, 4, 4], 11) }, { x: randomTensor([1, 2, 4, 4], 12, -1, 0.2) }], () => 3);
});

test('a Scan over axis 1 (one input reversed) and a second scan input, stacking on axis 1, runs on the device', { skip }, async () => {
  // state s [3,6]; x [3,5,4] scanned on axis 1 backwards, z [5,3] on axis 0; s = Tanh(s + x_t·W + z_t ⊗ 1);
  // scan out Sigmoid(s) stacked on axis 1 → [3,5,6]
  const body = {
    name: 'body',
    input: [vi('s_in', F, [3, 6]), vi('x_t', F, [3, 4]), vi('z_t', F, [3])],
    node: [
      node('MatMul', ['x_t', 'W'], ['xm']), node('Add', ['s_in', 'xm'], ['a']),
      node('Unsqueeze', ['z_t', 'ax1'], ['zu']), node('Add', ['a', 'zu'], ['b']),
      node('Tanh', ['b'], ['s_out']), node('Sigmoid', ['s_out'], ['y_t']),
    ],
    output: [vi('s_out', F, [3, 6]), vi('y_t', F, [3, 6])],
  };
  const bytes = encode('scan', [vi('x', F, [3, 5, 4]), vi('z', F, [5, 3]), vi('s0', F, [3, 6])], {
    W: randomTensor([4, 6], 13), ax1: i64([1], [1]),
  }, [
    node('Relu', ['s0'], ['s0r']),
    node('Scan', ['s0r', 'x', 'z'], ['s', 'ys'], {
      body: { graph: body }, num_scan_inputs: 2, scan_input_axes: [1, 0], scan_input_directions: [1, 0], scan_output_axes: [1],
    }),
  ], ['s', 'ys'], 16);
  const feeds = (seed: number) => ({ x: randomTensor([3, 5, 4], seed), z: randomTensor([5, 3], seed + 1), s0: randomTensor([3, 6], seed + 2) });
  await checkAgainstOrt(bytes, [feeds(14), feeds(20)], () => 0);
});

test('a Silero-like If around an LSTM reads back only its condition', { skip }, async () => {
  // if sum(audio) > 0: (h, c) = LSTM(audio, h0, c0) else (h, c) = (h0, c0); p = Sigmoid(Reshape(h)·Wo)
  const lstm = {
    name: 'run_lstm',
    node: [node('LSTM', ['audio', 'W', 'R', 'B', '', 'h0', 'c0'], ['Y', 'Yh', 'Yc'], { hidden_size: 16 })],
    output: [vi('Yh', F, [1, 1, 16]), vi('Yc', F, [1, 1, 16])],
  };
  const keep = { name: 'keep', node: [node('Identity', ['h0'], ['kh']), node('Identity', ['c0'], ['kc'])], output: [vi('kh', F, [1, 1, 16]), vi('kc', F, [1, 1, 16])] };
  const bytes = encode('silero_like', [vi('audio', F, [4, 1, 8]), vi('h0', F, [1, 1, 16]), vi('c0', F, [1, 1, 16])], {
    W: randomTensor([1, 64, 8], 21, -0.3, 0.3), R: randomTensor([1, 64, 16], 22, -0.3, 0.3), B: randomTensor([1, 128], 23, -0.1, 0.1),
    Wo: randomTensor([16, 1], 24), zero: f32([], [0]), flat: i64([2], [1, 16]),
  }, [
    node('ReduceSum', ['audio'], ['s'], { keepdims: 0 }), node('Greater', ['s', 'zero'], ['speech']),
    node('If', ['speech'], ['h', 'c'], { then_branch: { graph: lstm }, else_branch: { graph: keep } }),
    node('Reshape', ['h', 'flat'], ['hf']), node('MatMul', ['hf', 'Wo'], ['logit']), node('Sigmoid', ['logit'], ['p']),
  ], ['p', 'h', 'c']);
  const feeds = (seed: number, sign: number) => ({
    audio: Tensor.fromNumeric('float32', [4, 1, 8], randomTensor([4, 1, 8], seed).toNumbers().map((v) => sign * Math.abs(v))),
    h0: randomTensor([1, 1, 16], seed + 1), c0: randomTensor([1, 1, 16], seed + 2),
  });
  await checkAgainstOrt(bytes, [feeds(30, 1), feeds(31, -1), feeds(32, 1)], () => 1);
});

test('an opset-8 Scan (batch axis 0, one direction reversed) runs each batch entry on the device', { skip }, async () => {
  // per batch entry: s = Tanh(s + x_t·W) over the 4 steps of x backwards; scan out s
  const body = {
    name: 'body',
    input: [vi('s_in', F, [5]), vi('x_t', F, [3])],
    node: [node('MatMul', ['x_t', 'W'], ['xm']), node('Add', ['s_in', 'xm'], ['a']), node('Tanh', ['a'], ['s_out']), node('Identity', ['s_out'], ['y_t'])],
    output: [vi('s_out', F, [5]), vi('y_t', F, [5])],
  };
  const bytes = encode('scan8', [vi('x', F, [2, 4, 3]), vi('s0', F, [2, 5])], { W: randomTensor([3, 5], 40) }, [
    node('Sigmoid', ['s0'], ['s0s']), node('Relu', ['x'], ['xr']),
    node('Scan', ['', 's0s', 'xr'], ['s', 'ys'], { body: { graph: body }, num_scan_inputs: 1, directions: [1] }),
  ], ['s', 'ys'], 8);
  await checkAgainstOrt(bytes, [{ x: randomTensor([2, 4, 3], 41), s0: randomTensor([2, 5], 42) }], () => 0);
});
