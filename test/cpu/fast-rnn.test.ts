// The WebAssembly SIMD recurrent kernels (src/cpu/rnn.ts, assembly/rnn.ts) against onnxruntime-node:
// LSTM, GRU and RNN forward, reverse and bidirectional, layouts 0 and 1, uneven sequence lengths
// (a length 0 among them), initial states, peepholes, clip, input_forget, linear_before_reset, and
// hidden sizes off the 4- and 16-float SIMD blocks, on a pool of 3 threads (small cases stay on one).
// onnxruntime refuses layout 1, so those cases compare with its layout-0 run on transposed operands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WasmKernels, prepareWasmKernels, wasmKernels } from '../../src/cpu/wasm-kernels.js';
import { installNodeCpuThreads } from '../../src/node/cpu-threads.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { expectOneNodeLikeOrt, oneNodeModel, randomTensor, runNnrt, runOrt, type AttrSpec, type OneNodeSpec } from '../helpers/ort-reference.js';

installNodeCpuThreads(3); // before the first session starts the pool

const TOL = { atol: 1e-4, rtol: 1e-4 };
const GATES: Record<string, number> = { LSTM: 4, GRU: 3, RNN: 1 };

interface RnnCase {
  op: 'LSTM' | 'GRU' | 'RNN';
  seq: number;
  batch: number;
  input: number;
  hidden: number;
  direction?: 'forward' | 'reverse' | 'bidirectional';
  layout?: 0 | 1;
  bias?: boolean;
  lens?: number[];
  initial?: boolean;
  peepholes?: boolean;
  attrs?: Record<string, AttrSpec>;
}

/** The node's inputs (in ONNX order, '' for omitted ones) and its outputs Y, Y_h (, Y_c). */
function spec(c: RnnCase, seed: number) {
  const dirs = c.direction === 'bidirectional' ? 2 : 1;
  const G = GATES[c.op]!;
  const layout = c.layout ?? 0;
  const state = layout === 0 ? [dirs, c.batch, c.hidden] : [c.batch, dirs, c.hidden];
  const inputs: Record<string, Tensor> = {
    x: randomTensor(layout === 0 ? [c.seq, c.batch, c.input] : [c.batch, c.seq, c.input], seed),
    w: randomTensor([dirs, G * c.hidden, c.input], seed + 1, -0.6, 0.6),
    r: randomTensor([dirs, G * c.hidden, c.hidden], seed + 2, -0.6, 0.6),
  };
  if (c.bias) inputs.b = randomTensor([dirs, 2 * G * c.hidden], seed + 3);
  if (c.lens) inputs.lens = new Tensor('int32', [c.batch], Int32Array.from(c.lens));
  if (c.initial) inputs.h0 = randomTensor(state, seed + 4);
  if (c.initial && c.op === 'LSTM') inputs.c0 = randomTensor(state, seed + 5);
  if (c.peepholes) inputs.p = randomTensor([dirs, 3 * c.hidden], seed + 6);
  const names = c.op === 'LSTM' ? ['x', 'w', 'r', 'b', 'lens', 'h0', 'c0', 'p'] : ['x', 'w', 'r', 'b', 'lens', 'h0'];
  let order = names.map((n) => (n in inputs ? n : ''));
  while (order[order.length - 1] === '') order = order.slice(0, -1);
  const attrs: Record<string, AttrSpec> = { hidden_size: c.hidden, layout, ...(c.direction ? { direction: c.direction } : {}), ...c.attrs };
  const outputs = c.op === 'LSTM' ? ['y', 'y_h', 'y_c'] : ['y', 'y_h'];
  return { op: c.op, attrs, inputs, inputOrder: order, outputs };
}

const CASES: Record<string, RnnCase> = {
  'LSTM forward, batch 3, hidden 5, bias': { op: 'LSTM', seq: 6, batch: 3, input: 7, hidden: 5, bias: true },
  'LSTM bidirectional, lengths 6/3/0, initial states': { op: 'LSTM', seq: 6, batch: 3, input: 4, hidden: 8, direction: 'bidirectional', bias: true, lens: [6, 3, 0], initial: true },
  'LSTM reverse, peepholes, clip 0.5': { op: 'LSTM', seq: 5, batch: 2, input: 3, hidden: 6, direction: 'reverse', bias: true, peepholes: true, attrs: { clip: { float: 0.5 } } },
  'LSTM input_forget, peepholes, initial states': { op: 'LSTM', seq: 4, batch: 2, input: 5, hidden: 3, peepholes: true, initial: true, attrs: { input_forget: 1 } },
  'LSTM layout 1, bidirectional, hidden 21 (16 + 4 + 1 blocks), lengths': { op: 'LSTM', seq: 5, batch: 2, input: 9, hidden: 21, direction: 'bidirectional', layout: 1, bias: true, lens: [2, 5], initial: true },
  'LSTM default activations named explicitly': { op: 'LSTM', seq: 3, batch: 1, input: 4, hidden: 4, direction: 'bidirectional', attrs: { activations: ['sigmoid', 'Tanh', 'tanh', 'Sigmoid', 'Tanh', 'Tanh'] } },
  'GRU forward, hidden 7, bias': { op: 'GRU', seq: 6, batch: 2, input: 5, hidden: 7, bias: true },
  'GRU bidirectional, linear_before_reset, layout 1, lengths, initial h': { op: 'GRU', seq: 5, batch: 3, input: 6, hidden: 10, direction: 'bidirectional', layout: 1, bias: true, lens: [5, 1, 4], initial: true, attrs: { linear_before_reset: 1 } },
  'GRU reverse, no bias, clip 0.3': { op: 'GRU', seq: 4, batch: 2, input: 3, hidden: 17, direction: 'reverse', attrs: { clip: { float: 0.3 } } },
  'RNN bidirectional, bias, lengths, initial h': { op: 'RNN', seq: 5, batch: 2, input: 4, hidden: 6, direction: 'bidirectional', bias: true, lens: [3, 5], initial: true },
  'RNN layout 1, clip 0.4, hidden 33': { op: 'RNN', seq: 4, batch: 2, input: 8, hidden: 33, layout: 1, bias: true, attrs: { clip: { float: 0.4 } } },
};

test('the fast path runs LSTM in one WebAssembly call per direction; other activations fall back', async () => {
  const calls: string[] = [];
  const run = WasmKernels.prototype.run;
  WasmKernels.prototype.run = function (perThread) {
    for (const list of perThread) for (const [name] of list) calls.push(name);
    run.call(this, perThread);
  };
  try {
    assert.ok(wasmKernels(), 'the WebAssembly SIMD kernels did not instantiate');
    const s = spec({ op: 'LSTM', seq: 3, batch: 2, input: 4, hidden: 4, direction: 'bidirectional' }, 1);
    await runNnrt(oneNodeModel(s), s.inputs, 'fast');
    assert.deepEqual(calls, ['gemmEx', 'lstmSequences', 'lstmSequences']);
    calls.length = 0;
    const relu = spec({ op: 'RNN', seq: 3, batch: 1, input: 2, hidden: 3, attrs: { activations: ['Relu'] } }, 2);
    await runNnrt(oneNodeModel(relu), relu.inputs, 'fast');
    assert.deepEqual(calls, []);
  } finally {
    WasmKernels.prototype.run = run;
  }
});

test('RNN with Relu (reference fallback under cpuKernels fast) matches onnxruntime', async () => {
  await expectOneNodeLikeOrt(spec({ op: 'RNN', seq: 4, batch: 2, input: 3, hidden: 5, bias: true, attrs: { activations: ['Relu'] } }, 3), TOL, 'fast');
});

/** `t` (float32) with its two leading axes swapped. */
function swap01(t: Tensor): Tensor {
  const [a, b, ...rest] = t.shape;
  const inner = rest.reduce((p, d) => p * d, 1);
  const src = t.data as Float32Array;
  const out = new Float32Array(src.length);
  for (let i = 0; i < a!; i++) for (let j = 0; j < b!; j++) out.set(src.subarray((i * b! + j) * inner, (i * b! + j + 1) * inner), (j * a! + i) * inner);
  return new Tensor('float32', [b!, a!, ...rest], out);
}

/** Y [seq, dirs, batch, H] → [batch, seq, dirs, H]. */
function yToLayout1(y: Tensor): Tensor {
  const [seq, dirs, batch, H] = y.shape as [number, number, number, number];
  const src = y.data as Float32Array;
  const out = new Float32Array(src.length);
  for (let t = 0; t < seq; t++) for (let d = 0; d < dirs; d++) for (let b = 0; b < batch; b++) {
    out.set(src.subarray(((t * dirs + d) * batch + b) * H, ((t * dirs + d) * batch + b + 1) * H), ((b * seq + t) * dirs + d) * H);
  }
  return new Tensor('float32', [batch, seq, dirs, H], out);
}

/** Layout 1 in nnrt against onnxruntime's layout 0 over the same data transposed. */
async function expectLayout1LikeOrt(s: OneNodeSpec): Promise<void> {
  const got = await runNnrt(oneNodeModel(s), s.inputs, 'fast');
  const inputs = Object.fromEntries(Object.entries(s.inputs).map(([k, t]) => [k, ['x', 'h0', 'c0'].includes(k) ? swap01(t) : t]));
  const ref = { ...s, inputs, attrs: { ...s.attrs, layout: 0 } };
  const want = await runOrt(oneNodeModel(ref), inputs);
  for (const name of s.outputs) {
    const w = name === 'y' ? yToLayout1(want.y!) : swap01(want[name]!);
    const c = compareTensors(got[name]!, w, TOL);
    assert.ok(c.pass, `${s.op} layout 1 ${name}: ${c.reason ?? JSON.stringify(c)}`);
  }
}

test('LSTM and GRU with constant weights (W packed, Rᵀ resident) agree with onnxruntime on each of three runs', async () => {
  for (const c of [CASES['LSTM bidirectional, lengths 6/3/0, initial states']!, CASES['GRU forward, hidden 7, bias']!]) {
    const s = spec(c, 31);
    const { w, r, b, ...feeds } = s.inputs;
    const model = oneNodeModel({ ...s, inputs: feeds, initializers: { w: w!, r: r!, b: b! } });
    const want = await runOrt(model, feeds);
    const { graph } = importOnnx(model);
    const session = await createSession(graph, { device: 'cpu', cpuKernels: 'fast' });
    for (let run = 0; run < 3; run++) {
      const got = await session.run(feeds);
      for (const name of s.outputs) {
        const cmp = compareTensors(got[name]!, want[name]!, TOL);
        assert.ok(cmp.pass, `${c.op} run ${run} ${name}: ${cmp.reason ?? JSON.stringify(cmp)}`);
      }
    }
  }
});

const check = (c: RnnCase, seed: number) => (c.layout === 1 ? expectLayout1LikeOrt(spec(c, seed)) : expectOneNodeLikeOrt(spec(c, seed), TOL, 'fast'));

for (const [name, c] of Object.entries(CASES)) {
  test(`${name} (fast) matches onnxruntime`, () => check(c, 11));
}

const THREADED: Record<string, RnnCase> = {
  'LSTM bidirectional, batch 3 (directions and batch ranges split over 3 threads)': { op: 'LSTM', seq: 40, batch: 3, input: 32, hidden: 48, direction: 'bidirectional', bias: true, lens: [40, 17, 33], initial: true },
  'GRU bidirectional, batch 2, layout 1': { op: 'GRU', seq: 40, batch: 2, input: 24, hidden: 64, direction: 'bidirectional', layout: 1, bias: true },
};

for (const [name, c] of Object.entries(THREADED)) {
  test(`${name} on 3 threads matches onnxruntime`, async () => {
    assert.equal(await prepareWasmKernels(), true);
    assert.equal(wasmKernels()?.threads, 3);
    await check(c, 21);
  });
}
