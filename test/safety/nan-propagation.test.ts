// NaN and ±Inf propagate the same way on the CPU, on WebGPU and in the engine, as numpy and the
// ONNX reference do: max/min/clip/relu/pooling of a NaN is NaN (WGSL's max(x, 0.0) may return 0).
// Expected values are written from the spec, not computed by nnrt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/node/webgpu.js';
import '../../src/ops/index.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { createSession, type SessionOptions } from '../../src/runtime/session.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;
const N = Number.NaN;
const I = Number.POSITIVE_INFINITY;
const X = [N, -1, 2, I, -I, 0.5, N, 3]; // [1, 2, 2, 2]

function oneOp(op: string, attrs: Record<string, number | number[]> = {}, extra: (b: GraphBuilder) => string[] = () => []): Graph {
  const b = new GraphBuilder(op, 17);
  const x = b.input('x', 'float32', [1, 2, 2, 2]);
  b.output(b.op(op, [x, ...extra(b)], attrs));
  return b.graph;
}

const scalar = (v: number) => (b: GraphBuilder) => [b.constant('c', Tensor.fromNumeric('float32', [], [v]))];
/** op → (graph, the expected output by the ONNX reference's numpy semantics). */
const CASES: [string, Graph, number[]][] = [
  ['Relu', oneOp('Relu'), [N, 0, 2, I, 0, 0.5, N, 3]],
  ['Clip', oneOp('Clip', {}, (b) => [b.constant('lo', Tensor.fromNumeric('float32', [], [0])), b.constant('hi', Tensor.fromNumeric('float32', [], [1]))]), [N, 0, 1, 1, 0, 0.5, N, 1]],
  ['Max', oneOp('Max', {}, scalar(1)), [N, 1, 2, I, 1, 1, N, 3]],
  ['Min', oneOp('Min', {}, scalar(1)), [N, -1, 1, 1, -I, 0.5, N, 1]],
  ['MaxPool', oneOp('MaxPool', { kernel_shape: [1, 2] }), [N, I, 0.5, N]],
  ['GlobalMaxPool', oneOp('GlobalMaxPool'), [N, N]],
  ['ReduceMax', oneOp('ReduceMax', { keepdims: 0 }), [N]],
  ['ReduceMin', oneOp('ReduceMin', { keepdims: 0 }), [N]],
  ['Softmax', oneOp('Softmax', { axis: 3 }), [N, N, N, N, 0, 1, N, N]], // exp(Inf − Inf) is NaN
  ['HardSigmoid', oneOp('HardSigmoid'), [N, 0.3, 0.9, 1, 0, 0.6, N, 1]],
  ['LeakyRelu', oneOp('LeakyRelu'), [N, -0.01, 2, I, -I, 0.5, N, 3]],
];

async function runOn(g: Graph, opts: SessionOptions): Promise<Tensor> {
  const s = await createSession(g, opts);
  try {
    return Object.values(await s.run({ x: Tensor.fromNumeric('float32', [1, 2, 2, 2], X) }))[0]!;
  } finally {
    s.dispose();
  }
}

function assertSame(got: Tensor, want: number[], what: string) {
  const w = Tensor.fromNumeric('float32', [want.length], want);
  const g = new Tensor('float32', [got.size], got.data as Float32Array);
  const c = compareTensors(g, w, { atol: 1e-6, rtol: 1e-5 });
  assert.ok(c.pass, `${what}: got [${[...got.numeric()].join(', ')}], want [${want.join(', ')}]`);
}

for (const [op, g, want] of CASES) {
  test(`${op}: NaN and Inf on the CPU`, async () => assertSame(await runOn(g, {}), want, `${op} cpu`));
  test(`${op}: NaN and Inf on WebGPU`, { skip }, async () => assertSame(await runOn(g, { device: 'webgpu' }), want, `${op} webgpu`));
}

test('engine: Conv → Relu → MaxPool and Clip keep NaN where the framework does', { skip }, async () => {
  const b = new GraphBuilder('engine_nan', 17);
  const x = b.input('x', 'float32', [1, 2, 2, 2]);
  // a depthwise 1×1 conv of weight 1 (a dense one would give 0·NaN = NaN across channels): NaN
  // and Inf pass through to the fused Relu epilogue
  const w = b.constant('w', Tensor.fromNumeric('float32', [2, 1, 1, 1], [1, 1]));
  const r = b.op('Relu', [b.op('Conv', [x, w], { group: 2 })]);
  const p = b.op('MaxPool', [r], { kernel_shape: [1, 2] });
  b.output(b.op('Clip', [p, b.constant('lo', Tensor.fromNumeric('float32', [], [0])), b.constant('hi', Tensor.fromNumeric('float32', [], [2.5]))]));
  const want = [N, 2.5, 0.5, N]; // relu → [N,0,2,I,0,.5,N,3]; pool over W → [N, I, 0.5, N]; clip
  for (const precision of ['fp32', 'fp16'] as const) {
    const got = await runOn(b.graph, { device: 'webgpu', engine: 'webgpu', precision, minSubgraphSize: 1, timeTactics: false });
    assertSame(got, want, `engine ${precision}`);
  }
});

test('compareTensors counts NaN/Inf mismatches and reports them as an infinite error', () => {
  const c = compareTensors(Tensor.fromNumeric('float32', [3], [0, 1, 2]), Tensor.fromNumeric('float32', [3], [N, 1, I]), { atol: 1e-4, rtol: 1e-3 });
  assert.equal(c.mismatches, 2);
  assert.equal(c.nonFiniteMismatches, 2);
  assert.equal(c.maxAbsError, Infinity);
});
