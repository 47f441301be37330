// The CPU engine's row, attention and matmul executors on one thread and on the thread pool, each
// run against onnxruntime (1e-4 + 1e-3·|x|): odd sizes (rows, columns, heads, query rows that do
// not split evenly), attention split by heads and, with a single head, by blocks of query rows (the
// causal limit shifted per block), outputs written through transposed strides; matmul of computed
// operands split by batches, blocks of rows or of columns;
// layer norm with a skip add and its sum; softmax and log-softmax. The same cases run first before the pool starts
// (one thread) and then on 3 threads with the split threshold lowered so every case splits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setParallelMacs } from '../../src/cpu/parallel.js';
import { prepareWasmKernels, wasmKernels } from '../../src/cpu/wasm-kernels.js';
import { CpuEngine } from '../../src/engine/cpu/engine.js';
import { installNodeCpuThreads } from '../../src/node/cpu-threads.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import '../../src/ops/index.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { patternModel, type PatternSpec } from '../helpers/engine-pattern.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';

interface Case {
  spec: PatternSpec;
  /** Layer kinds that must run a fast executor (not the lowered one). */
  kinds: string[];
}

/** BERT's eager attention on [1, S, H·dh] heads: transposes in, scale, mask, softmax, ·V, transpose back. */
function bertAttention(s: number, heads: number, dh: number, outPerm: number[]): Case {
  const x = (seed: number) => randomTensor([1, s, heads, dh], seed);
  return {
    spec: {
      inputs: { q: x(1), k: x(2), v: x(3), m: randomTensor([1, 1, 1, s], 4, -4, 0) },
      initializers: { d: Tensor.fromArray([], [Math.sqrt(dh)]) },
      nodes: [
        { op: 'Transpose', inputs: ['q'], outputs: ['qh'], attrs: { perm: [0, 2, 1, 3] } },
        { op: 'Transpose', inputs: ['k'], outputs: ['kt'], attrs: { perm: [0, 2, 3, 1] } },
        { op: 'Transpose', inputs: ['v'], outputs: ['vh'], attrs: { perm: [0, 2, 1, 3] } },
        { op: 'MatMul', inputs: ['qh', 'kt'], outputs: ['qk'] },
        { op: 'Div', inputs: ['qk', 'd'], outputs: ['qs'] },
        { op: 'Add', inputs: ['qs', 'm'], outputs: ['qm'] },
        { op: 'Softmax', inputs: ['qm'], outputs: ['p'], attrs: { axis: -1 } },
        { op: 'MatMul', inputs: ['p', 'vh'], outputs: ['o'] },
        { op: 'Transpose', inputs: ['o'], outputs: ['y'], attrs: { perm: outPerm } },
      ],
      outputs: ['y'],
    },
    kinds: ['attention'],
  };
}

const CASES: Record<string, Case> = {
  'attention, 3 heads over the threads, output transposed back to [1, S, H, dh]': bertAttention(13, 3, 5, [0, 2, 1, 3]),
  'attention, one head: blocks of query rows, output [1, H, dv, S] (rows are the contiguous axis)': bertAttention(11, 1, 6, [0, 1, 3, 2]),
  'attention, 2 heads, output [dv, 1, S, H] (neither axis contiguous)': bertAttention(9, 2, 3, [3, 0, 2, 1]),
  'ONNX Attention, causal, one head, Sq 9 < Sk 11 (the causal limit shifted per row block)': {
    spec: {
      inputs: { q: randomTensor([1, 1, 9, 4], 5), k: randomTensor([1, 1, 11, 4], 6), v: randomTensor([1, 1, 11, 7], 7) },
      nodes: [{ op: 'Attention', inputs: ['q', 'k', 'v'], outputs: ['y'], attrs: { is_causal: 1 } }],
      outputs: ['y'],
      opset: 23,
    },
    kinds: ['attention'],
  },
  'batched matmul of computed operands, transposed and broadcast (3 batches over the threads), then bias, residual and relu': {
    spec: {
      inputs: { q: randomTensor([3, 7, 5], 13), k: randomTensor([1, 9, 5], 14), r: randomTensor([3, 7, 9], 15) },
      initializers: { b: randomTensor([9], 16) },
      nodes: [
        { op: 'Transpose', inputs: ['k'], outputs: ['kt'], attrs: { perm: [0, 2, 1] } },
        { op: 'MatMul', inputs: ['q', 'kt'], outputs: ['s'] },
        { op: 'Add', inputs: ['s', 'b'], outputs: ['sb'] },
        { op: 'Add', inputs: ['sb', 'r'], outputs: ['sr'] },
        { op: 'Relu', inputs: ['sr'], outputs: ['y'] },
      ],
      outputs: ['y'],
    },
    kinds: ['matmul'],
  },
  'matmul of computed operands, one batch of 13 rows (blocks of rows) and a row vector (blocks of columns)': {
    spec: {
      inputs: { a: randomTensor([13, 6], 17), b: randomTensor([6, 37], 18), v: randomTensor([1, 6], 19) },
      nodes: [
        { op: 'Relu', inputs: ['b'], outputs: ['br'] },
        { op: 'MatMul', inputs: ['a', 'br'], outputs: ['y'] },
        { op: 'MatMul', inputs: ['v', 'br'], outputs: ['z'] },
      ],
      outputs: ['y', 'z'],
    },
    kinds: ['matmul'],
  },
  'layer norm with a skip add and its sum, 111 rows of 33': {
    spec: {
      inputs: { x: randomTensor([3, 37, 33], 8), r: randomTensor([3, 37, 33], 9) },
      initializers: { g: randomTensor([33], 10, 0.5, 1.5), b: randomTensor([33], 11), two: Tensor.fromArray([], [2]) },
      nodes: [
        { op: 'Add', inputs: ['x', 'r'], outputs: ['s'] },
        { op: 'LayerNormalization', inputs: ['s', 'g', 'b'], outputs: ['ln'], attrs: { axis: -1, epsilon: 1e-5 } },
        { op: 'Mul', inputs: ['s', 'two'], outputs: ['s2'] },
      ],
      outputs: ['ln', 's2'],
    },
    kinds: ['norm'],
  },
  'softmax and log-softmax, 35 rows of 19': {
    spec: {
      inputs: { x: randomTensor([5, 7, 19], 12, -3, 3) },
      nodes: [
        { op: 'Softmax', inputs: ['x'], outputs: ['p'], attrs: { axis: -1 } },
        { op: 'LogSoftmax', inputs: ['x'], outputs: ['lp'], attrs: { axis: 2 } },
      ],
      outputs: ['p', 'lp'],
    },
    kinds: ['softmax'],
  },
};

async function expectLikeOrt(name: string, c: Case): Promise<void> {
  const model = patternModel(c.spec);
  const want = await runOrt(model, c.spec.inputs);
  const { graph } = importOnnx(model);
  const shapes = Object.fromEntries(Object.entries(c.spec.inputs).map(([k, t]) => [k, [...t.shape]]));
  const engine = CpuEngine.build(graph, shapes);
  try {
    for (const kind of c.kinds) {
      const tactics = engine.plan.layers.filter((l) => l.kind === kind).map((l) => l.tactic);
      assert.ok(tactics.length > 0 && tactics.every((t) => t !== 'lowered'), `${name}: ${kind} layers ${JSON.stringify(engine.plan.layers.map((l) => [l.kind, l.tactic]))}`);
    }
    // twice: a run leaves nothing behind that changes the next
    for (let round = 0; round < 2; round++) {
      const got = engine.run(c.spec.inputs);
      for (const out of c.spec.outputs) {
        const cmp = compareTensors(got[out]!, want[out]!, FP32_TOLERANCE);
        assert.ok(cmp.pass, `${name} ${out} (round ${round}): max abs ${cmp.maxAbsError}, ${cmp.mismatches} mismatches ${JSON.stringify(cmp.firstMismatch)}`);
      }
    }
  } finally {
    engine.dispose();
  }
}

test('one thread: row, attention and matmul executors match onnxruntime', async () => {
  assert.equal(wasmKernels()?.threads, 1, 'no pool yet');
  for (const [name, c] of Object.entries(CASES)) await expectLikeOrt(name, c);
});

test('three threads, every case split: row, attention and matmul executors match onnxruntime', async () => {
  installNodeCpuThreads(3);
  assert.equal(await prepareWasmKernels(), true);
  assert.equal(wasmKernels()?.threads, 3);
  const old = setParallelMacs(1 << 6);
  try {
    for (const [name, c] of Object.entries(CASES)) await expectLikeOrt(name, c);
  } finally {
    setParallelMacs(old);
  }
});
