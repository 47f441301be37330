// RNN, GRU and LSTM: the ONNX backend node tests, and onnxruntime-node on seeded inputs for a matrix
// of configurations the fixtures miss (directions × optional inputs × layouts × sequence lengths ×
// linear_before_reset), activation lists with alpha/beta, clip, input_forget and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NnrtError, ShapeError, UnsupportedError } from '../../src/errors.js';
import { runConformanceCase } from '../../src/node/backend-test.js';
import { ModelProto } from '../../src/onnx/proto.js';
import { compareTensors, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, randomTensor, runNnrt, runOrt, type AttrSpec } from '../helpers/ort-reference.js';

const FULL = new URL('../../../shared/fixtures/onnx-node-full/', import.meta.url).pathname;
const folders = existsSync(FULL) ? readdirSync(FULL).filter((d) => /^test_(lstm|gru|rnn|simple_rnn)_/.test(d)).sort() : [];

if (folders.length === 0) test('recurrent backend node tests', { skip: `${FULL} is absent` }, () => {});
for (const name of folders) {
  test(`conformance ${name}`, async () => {
    const r = await runConformanceCase(join(FULL, name), { device: 'cpu' }, undefined);
    assert.equal(r.status, 'pass', r.reason);
  });
}

// onnxruntime computes in f32 with approximated sigmoid/tanh; nnrt accumulates in f64.
const TOL: Tolerance = { atol: 2e-5, rtol: 1e-4 };
const GATES = { RNN: 1, GRU: 3, LSTM: 4 } as const;
type RecurrentOp = keyof typeof GATES;
type Direction = 'forward' | 'reverse' | 'bidirectional';

interface Case {
  op: RecurrentOp;
  direction?: Direction;
  layout?: 0 | 1;
  /** Which optional inputs to give: B, sequence_lens, initial_h, initial_c, P. */
  optional?: ('B' | 'lens' | 'h0' | 'c0' | 'P')[];
  /** sequence_lens values (one per batch entry). */
  lens?: number[];
  attrs?: Record<string, AttrSpec>;
  /** Node outputs; '' omits one. Defaults to every output. */
  outputs?: string[];
  seed?: number;
}

const SEQ = 5;
const BATCH = 3;
const INPUT = 4;
const HIDDEN = 3;

/** Builds the one-node model and its inputs for a case. */
function build(c: Case): { model: Uint8Array; inputs: Record<string, Tensor>; outputs: string[] } {
  const { op, direction = 'forward', layout = 0, optional = [], seed = 1 } = c;
  const dirs = direction === 'bidirectional' ? 2 : 1;
  const g = GATES[op];
  const opt = new Set(optional);
  const state = layout === 0 ? [dirs, BATCH, HIDDEN] : [BATCH, dirs, HIDDEN];
  const inputs: Record<string, Tensor> = {
    X: randomTensor(layout === 0 ? [SEQ, BATCH, INPUT] : [BATCH, SEQ, INPUT], seed, -2, 2),
    W: randomTensor([dirs, g * HIDDEN, INPUT], seed + 1, -0.7, 0.7),
    R: randomTensor([dirs, g * HIDDEN, HIDDEN], seed + 2, -0.7, 0.7),
  };
  if (opt.has('B')) inputs.B = randomTensor([dirs, 2 * g * HIDDEN], seed + 3, -0.5, 0.5);
  if (opt.has('lens')) inputs.lens = new Tensor('int32', [BATCH], Int32Array.from(c.lens ?? [SEQ, 2, 4]));
  if (opt.has('h0')) inputs.h0 = randomTensor(state, seed + 4, -1, 1);
  if (opt.has('c0')) inputs.c0 = randomTensor(state, seed + 5, -1, 1);
  if (opt.has('P')) inputs.P = randomTensor([dirs, 3 * HIDDEN], seed + 6, -0.5, 0.5);
  const names = op === 'LSTM' ? ['X', 'W', 'R', 'B', 'lens', 'h0', 'c0', 'P'] : ['X', 'W', 'R', 'B', 'lens', 'h0'];
  const order = names.map((n) => (n in inputs ? n : ''));
  while (order[order.length - 1] === '') order.pop();
  const outputs = c.outputs ?? (op === 'LSTM' ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h']);
  const attrs: Record<string, AttrSpec> = { hidden_size: HIDDEN, direction, ...(layout ? { layout } : {}), ...c.attrs };
  const given = outputs.filter(Boolean);
  const msg = ModelProto.decode(oneNodeModel({ op, opset: 14, attrs, inputs, inputOrder: order, outputs: given })) as unknown as {
    graph: { node: { output: string[] }[] };
  };
  msg.graph.node[0]!.output = outputs; // keeps '' for an omitted output
  return { model: new Uint8Array(ModelProto.encode(msg as never).finish()), inputs, outputs: given };
}

/** `t` with its axes permuted (y.shape[i] = t.shape[perm[i]]). */
function permute(t: Tensor, perm: number[]): Tensor {
  const shape = perm.map((p) => t.shape[p]!);
  const src = t.strides;
  const v = t.numeric();
  const out = new Float32Array(t.size);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < out.length; i++) {
    out[i] = v[idx.reduce((a, k, ax) => a + k * src[perm[ax]!]!, 0)]!;
    for (let ax = shape.length - 1; ax >= 0 && ++idx[ax]! === shape[ax]; ax--) idx[ax] = 0;
  }
  return new Tensor('float32', shape, out);
}

/**
 * onnxruntime's outputs for a case. onnxruntime refuses layout = 1, so a batch-major case runs
 * there as its time-major twin: inputs and outputs are transposed around it.
 */
async function ortOutputs(c: Case): Promise<Record<string, Tensor>> {
  if ((c.layout ?? 0) === 0) {
    const { model, inputs } = build(c);
    return runOrt(model, inputs);
  }
  const { inputs } = build(c);
  const twin = build({ ...c, layout: 0 });
  const swap = (t: Tensor) => permute(t, [1, 0, 2]);
  const feeds: Record<string, Tensor> = { ...twin.inputs, X: swap(inputs.X!) };
  for (const k of ['h0', 'c0']) if (inputs[k]) feeds[k] = swap(inputs[k]!);
  const out = await runOrt(twin.model, feeds);
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, k === 'Y' ? permute(t, [2, 0, 1, 3]) : swap(t)]));
}

/** Runs a case in onnxruntime and nnrt; every output must agree. */
async function expectSameAsOrt(c: Case): Promise<Record<string, Tensor>> {
  const { model, inputs, outputs } = build(c);
  const want = await ortOutputs(c);
  const got = await runNnrt(model, inputs);
  for (const name of outputs) {
    const cmp = compareTensors(got[name]!, want[name]!, TOL);
    assert.ok(cmp.pass, `${JSON.stringify(c)} ${name}: ${JSON.stringify(cmp)}`);
  }
  return want;
}

const OPTIONAL_SETS: Record<RecurrentOp, Case['optional'][]> = {
  RNN: [[], ['B'], ['B', 'lens', 'h0']],
  GRU: [[], ['B'], ['B', 'lens', 'h0']],
  LSTM: [[], ['B', 'P'], ['B', 'lens', 'h0', 'c0', 'P'], ['lens', 'c0']],
};

for (const op of ['RNN', 'GRU', 'LSTM'] as const) {
  test(`${op} matches onnxruntime over directions × optional inputs × layouts × sequence lengths`, async () => {
    let seed = 10;
    for (const direction of ['forward', 'reverse', 'bidirectional'] as const) {
      for (const layout of [0, 1] as const) {
        for (const optional of OPTIONAL_SETS[op]) {
          for (const lbr of op === 'GRU' ? [0, 1] : [0]) {
            const attrs: Record<string, AttrSpec> = op === 'GRU' ? { linear_before_reset: lbr } : {};
            await expectSameAsOrt({ op, direction, layout, optional, attrs, seed: seed++ });
          }
        }
      }
    }
  });
}

test('variable sequence lengths: steps past a length are zero in Y, Y_h is the last valid step (both directions)', async () => {
  for (const op of ['RNN', 'GRU', 'LSTM'] as const) {
    for (const layout of [0, 1] as const) {
      const want = await expectSameAsOrt({ op, direction: 'bidirectional', layout, optional: ['B', 'lens'], lens: [1, SEQ, 3] });
      await expectSameAsOrt({ op, direction: 'bidirectional', layout, optional: ['B', 'lens', 'h0', 'c0'], lens: [0, SEQ, 2] });
      // onnxruntime's own output has zeros past batch 0's single step
      const y = want.Y!.numeric();
      const at = (t: number, d: number, b: number, j: number) =>
        layout === 0 ? ((t * 2 + d) * BATCH + b) * HIDDEN + j : ((b * SEQ + t) * 2 + d) * HIDDEN + j;
      assert.equal(y[at(SEQ - 1, 1, 0, 0)], 0);
      assert.notEqual(y[at(0, 1, 0, 0)], 0);
    }
  }
});

test('omitted outputs: only Y_h (LSTM only Y_c) is computed and matches onnxruntime', async () => {
  await expectSameAsOrt({ op: 'RNN', direction: 'reverse', optional: ['B'], outputs: ['', 'Y_h'] });
  await expectSameAsOrt({ op: 'GRU', direction: 'bidirectional', optional: ['h0'], outputs: ['', 'Y_h'] });
  await expectSameAsOrt({ op: 'LSTM', direction: 'forward', optional: ['B', 'c0'], outputs: ['', '', 'Y_c'] });
  await expectSameAsOrt({ op: 'LSTM', direction: 'bidirectional', layout: 1, optional: ['B'], outputs: ['Y'] });
});

test('activation lists with alpha and beta are consumed in order by the functions that take them', async () => {
  const rnnActs: [string, number[], number[]][] = [
    ['Relu', [], []], ['Sigmoid', [], []], ['Affine', [0.7], [0.2]], ['LeakyRelu', [0.3], []], ['ThresholdedRelu', [0.1], []],
    ['ScaledTanh', [1.5], [0.6]], ['HardSigmoid', [0.3], [0.4]], ['Elu', [0.8], []], ['Softsign', [], []], ['Softplus', [], []],
  ];
  for (const [name, alpha, beta] of rnnActs) {
    const attrs: Record<string, AttrSpec> = { activations: [name] };
    if (alpha.length) attrs.activation_alpha = { floats: alpha };
    if (beta.length) attrs.activation_beta = { floats: beta };
    await expectSameAsOrt({ op: 'RNN', optional: ['B', 'h0'], attrs });
  }
  await expectSameAsOrt({
    op: 'GRU', direction: 'bidirectional', optional: ['B'],
    attrs: { activations: ['HardSigmoid', 'Softsign', 'Sigmoid', 'ScaledTanh'], activation_alpha: { floats: [0.25, 0.9] }, activation_beta: { floats: [0.45, 1.1] } },
  });
  await expectSameAsOrt({
    op: 'LSTM', optional: ['B', 'P'],
    attrs: { activations: ['HardSigmoid', 'Elu', 'Affine'], activation_alpha: { floats: [0.3, 0.9, 0.5] }, activation_beta: { floats: [0.6, 0.1] } },
  });
  // LeakyRelu's default alpha (0.01) and HardSigmoid's defaults (0.2, 0.5) when the lists are absent
  await expectSameAsOrt({ op: 'LSTM', direction: 'reverse', optional: ['B'], attrs: { activations: ['HardSigmoid', 'LeakyRelu', 'Tanh'] } });
});

test('clip bounds every gate pre-activation; input_forget couples the forget gate to the input gate', async () => {
  for (const op of ['RNN', 'GRU', 'LSTM'] as const) {
    await expectSameAsOrt({ op, direction: 'bidirectional', optional: ['B', 'h0'], attrs: { clip: 0.4 } });
  }
  await expectSameAsOrt({ op: 'LSTM', optional: ['B', 'P', 'c0'], attrs: { clip: 0.3 }, seed: 4 });
  await expectSameAsOrt({ op: 'LSTM', direction: 'bidirectional', optional: ['B', 'P', 'lens'], attrs: { input_forget: 1 } });
});

test('bad input gives typed errors: a sequence length past X, a wrong W shape, an unknown activation', async () => {
  const bad = build({ op: 'LSTM', optional: ['lens'], lens: [SEQ + 1, 1, 1] });
  await assert.rejects(runNnrt(bad.model, bad.inputs), (e: unknown) => e instanceof NnrtError && /sequence_lens\[0\] = 6/.test((e as Error).message));
  const wrongW = build({ op: 'GRU' });
  wrongW.inputs.W = randomTensor([1, 2 * HIDDEN, INPUT], 3);
  const m = ModelProto.decode(oneNodeModel({ op: 'GRU', opset: 14, attrs: { hidden_size: HIDDEN }, inputs: wrongW.inputs, inputOrder: ['X', 'W', 'R'], outputs: ['Y'] }));
  await assert.rejects(runNnrt(new Uint8Array(ModelProto.encode(m).finish()), wrongW.inputs), (e: unknown) => e instanceof ShapeError && /W must have shape \[1,9,4\]/.test((e as Error).message));
  const unknown = build({ op: 'RNN', attrs: { activations: ['Gelu'] } });
  await assert.rejects(runNnrt(unknown.model, unknown.inputs), (e: unknown) => e instanceof UnsupportedError && /activation 'Gelu'/.test((e as Error).message));
});

test('float16 LSTM and GRU compute in f32 and match onnxruntime on the same half-rounded values', async () => {
  // onnxruntime's CPU recurrent kernels take float32 only: it runs the f32 twin of the model on the
  // float16 inputs widened exactly to f32, and nnrt's half output must agree within f16 rounding.
  const half = (t: Tensor) => Tensor.fromNumeric('float16', t.shape, t.numeric());
  for (const op of ['LSTM', 'GRU'] as const) {
    const c: Case = { op, direction: 'bidirectional', optional: ['B', 'lens', 'h0'], seed: 77 };
    const f32 = build(c);
    const widened = Object.fromEntries(Object.entries(f32.inputs).map(([k, t]) => [k, t.dtype === 'float32' ? Tensor.fromNumeric('float32', t.shape, half(t).numeric()) : t]));
    const want = await runOrt(f32.model, widened);
    const halves = Object.fromEntries(Object.entries(widened).map(([k, t]) => [k, t.dtype === 'float32' ? half(t) : t]));
    const m = ModelProto.decode(f32.model) as unknown as { graph: { input: { type: { tensorType: { elemType: number } } }[] } };
    for (const i of m.graph.input) if (i.type.tensorType.elemType === 1) i.type.tensorType.elemType = 10;
    const got = await runNnrt(new Uint8Array(ModelProto.encode(m as never).finish()), halves);
    for (const name of f32.outputs) {
      assert.equal(got[name]!.dtype, 'float16');
      const cmp = compareTensors(Tensor.fromNumeric('float32', got[name]!.shape, got[name]!.numeric()), want[name]!, { atol: 2e-3, rtol: 2e-3 });
      assert.ok(cmp.pass, `${op} ${name}: ${JSON.stringify(cmp)}`);
    }
  }
});

test('opset-1 forms with output_sequence import as the IR form and match onnxruntime on the opset-14 form', async () => {
  for (const op of ['RNN', 'GRU', 'LSTM'] as const) {
    const c: Case = { op, direction: 'bidirectional', optional: ['B', 'h0'], seed: 91 };
    const { model, inputs, outputs } = build(c);
    const want = await ortOutputs(c);
    const old = ModelProto.decode(model) as unknown as { opsetImport: { version: number }[]; graph: { node: { attribute: object[] }[] } };
    old.opsetImport[0]!.version = 6;
    old.graph.node[0]!.attribute.push({ name: 'output_sequence', type: 2, i: 1 });
    const got = await runNnrt(new Uint8Array(ModelProto.encode(old as never).finish()), inputs);
    for (const name of outputs) assert.ok(compareTensors(got[name]!, want[name]!, TOL).pass, `${op} ${name}`);
  }
});
