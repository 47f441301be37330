// Engine pointwise kernels on the device (lavapipe here) against onnxruntime one-node models: every
// binary and unary function, every activation kind, each broadcast kind (same shape, one element,
// per channel, constants), nchw/nhwc/plain layouts, f32/f16x2 mixes, and writes placed into an
// in-place concat target. Every tactic a layer returns is run.
// f16x2 tolerance: the reference gets the same half-rounded inputs; only the output's rounding to
// half (relative 2^-11) and f32 transcendental differences remain: atol 1e-3, rtol 2e-3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { compilePointwise } from '../../src/engine/kernels/pointwise.js';
import type { KernelContext, OutputPlacement } from '../../src/engine/kernels/tactic.js';
import type { Activation, Layout, NetTensor, PointwiseLayer, PwExpr, Storage } from '../../src/engine/network.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js'; // registers Dawn as the process's GPU (held, so it is never collected)
import { compareTensors, FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomTensor, type AttrSpec } from '../helpers/ort-reference.js';
import { runTactic } from '../helpers/engine-kernel.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { kernelContext, roundHalf } from '../helpers/kernel-context.js';
import { ortOneNode, type Operands } from '../helpers/ort-one-node.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());
const F16_TOLERANCE: Tolerance = { atol: 1e-3, rtol: 2e-3 };

const tensor = (name: string, shape: number[], layout: Layout = 'nchw', storage: Storage = 'f32'): NetTensor => ({ name, shape, format: { layout, storage } });

function context(tensors: NetTensor[], placement: Record<string, OutputPlacement> = {}): KernelContext {
  return kernelContext(gpu!, tensors, { placement });
}

/** onnxruntime's output of one node over logical f32 inputs. */
const ort = (op: string, inputs: Operands, attrs: Record<string, AttrSpec> = {}, opset = 18) => ortOneNode(op, inputs, attrs, { opset });

const pw = (inputs: string[], expr: PwExpr, constants?: Float32Array[]): PointwiseLayer => ({ kind: 'pointwise', name: 'pw', from: ['pw'], inputs, output: 'y', expr, ...(constants ? { constants } : {}) });
const input = (index: number): PwExpr => ({ op: 'input', index });

/** Runs every tactic of `layer` and compares output `y` (logical values) with `want`. */
async function expectAll(layer: PointwiseLayer, tensors: NetTensor[], feeds: Record<string, Float32Array>, want: Float32Array, tol?: Tolerance, placement?: Record<string, OutputPlacement>) {
  const ctx = context(tensors, placement);
  const tactics = compilePointwise(layer, ctx);
  if (typeof tactics === 'string') assert.fail(tactics);
  assert.ok(tactics.length >= 2);
  const outName = placement?.y?.target ?? 'y';
  const y = ctx.tensors.get(outName)!;
  const storage = y.format.storage;
  for (const t of tactics) {
    const got = (await runTactic(gpu!, t, ctx.tensors, feeds, [outName]))[outName]!;
    const c = compareTensors(new Tensor('float32', y.shape, got), new Tensor('float32', y.shape, want), tol ?? (storage === 'f16x2' ? F16_TOLERANCE : FP32_TOLERANCE));
    assert.ok(c.pass, `${t.name} (${y.format.layout}/${storage}): ${JSON.stringify(c)}`);
  }
}

const BINARY = { add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div', max: 'Max', min: 'Min', pow: 'Pow' } as const;

test('binary functions with same-shape, one-element and per-channel operands, nchw and nhwc', { skip }, async () => {
  const shape = [2, 6, 3, 5];
  const x = randomTensor(shape, 1, 0.2, 2).data;
  const operands: [string, number[]][] = [['same', shape], ['one', [1]], ['channel3', [6, 1, 1]], ['channel4', [1, 6, 1, 1]]];
  const layouts = [['nchw', 'nhwc'], ['nhwc', 'nchw'], ['nhwc', 'nhwc'], ['nchw', 'nchw']] as const;
  for (const [f, [fn, op]] of Object.entries(BINARY).entries()) {
    for (const [k, [kind, bShape]] of operands.entries()) {
      const b = randomTensor(bShape, 2, 0.5, 1.5).data;
      const want = await ort(op, { x: { shape, data: x }, b: { shape: bShape, data: b } });
      // every operand kind meets every layout pair over the functions (all of them for add)
      const pairs = fn === 'add' ? layouts : [layouts[(f + k) % layouts.length]!];
      for (const [inLayout, outLayout] of pairs) {
        const layer = pw(['x', 'b'], { op: 'binary', fn: fn as keyof typeof BINARY, a: input(0), b: input(1) });
        const bLayout: Layout = bShape.length === 4 ? inLayout : 'plain';
        const tensors = [tensor('x', shape, inLayout), tensor('b', bShape, bLayout), tensor('y', shape, outLayout)];
        await expectAll(layer, tensors, { x, b }, want).catch((e: Error) => assert.fail(`${fn} ${kind} ${inLayout}→${outLayout}: ${e.message}`));
      }
    }
  }
});

test('unary functions (any op of the unary table, attributes inlined) on plain tensors with an odd element count', { skip }, async () => {
  const shape = [3, 5, 7];
  const cases: [string, Record<string, number | string>, Record<string, AttrSpec>][] = [
    ...['Neg', 'Abs', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Floor', 'Ceil', 'Erf', 'Sin', 'Cos', 'Tan', 'Atan', 'Softplus', 'Softsign', 'Mish']
      .map((op): [string, Record<string, number | string>, Record<string, AttrSpec>] => [op, {}, {}]),
    ['Elu', { alpha: 0.7 }, { alpha: { float: 0.7 } }],
    ['Selu', { alpha: 1.5, gamma: 1.1 }, { alpha: { float: 1.5 }, gamma: { float: 1.1 } }],
    ['Gelu', { approximate: 'tanh' }, { approximate: 'tanh' }],
    ['Gelu', { approximate: 'none' }, {}],
  ];
  for (const [op, attrs, ortAttrs] of cases) {
    const positive = op === 'Log' || op === 'Sqrt';
    const x = randomTensor(shape, 3, positive ? 0.1 : -3, 3).data;
    const want = await ort(op, { x: { shape, data: x } }, ortAttrs, 20);
    const layer = pw(['x'], { op: 'unary', fn: op, arg: input(0), attrs });
    await expectAll(layer, [tensor('x', shape, 'plain'), tensor('y', shape, 'plain')], { x }, want).catch((e: Error) => assert.fail(`${op}: ${e.message}`));
  }
});

test('every activation kind, f32 and f16x2 NHWC', { skip }, async () => {
  const shape = [1, 4, 5, 3];
  const x = roundHalf(randomTensor(shape, 4, -6, 6).data);
  const feeds = { x: { shape, data: x } };
  const acts: [Activation, () => Promise<Float32Array>][] = [
    [{ kind: 'none' }, async () => x],
    [{ kind: 'relu' }, () => ort('Relu', feeds)],
    [{ kind: 'leakyrelu', alpha: 0.1 }, () => ort('LeakyRelu', feeds, { alpha: { float: 0.1 } })],
    [{ kind: 'clip', min: -1, max: 6 }, () => ort('Clip', { ...feeds, lo: { shape: [], data: new Float32Array([-1]) }, hi: { shape: [], data: new Float32Array([6]) } })],
    [{ kind: 'sigmoid' }, () => ort('Sigmoid', feeds)],
    [{ kind: 'tanh' }, () => ort('Tanh', feeds)],
    [{ kind: 'hardsigmoid', alpha: 0.2, beta: 0.4 }, () => ort('HardSigmoid', feeds, { alpha: { float: 0.2 }, beta: { float: 0.4 } })],
    [{ kind: 'hardswish' }, () => ort('HardSwish', feeds)],
    // SiLU has no ONNX op before opset 22: x · Sigmoid(x)
    [{ kind: 'silu' }, async () => ort('Mul', { x: feeds.x, s: { shape, data: await ort('Sigmoid', feeds) } })],
  ];
  for (const [act, reference] of acts) {
    const want = await reference();
    const layer = pw(['x'], { op: 'act', act, arg: input(0) });
    for (const storage of ['f32', 'f16x2'] as const) {
      const tensors = [tensor('x', shape, 'nhwc', storage), tensor('y', shape, 'nhwc', storage)];
      await expectAll(layer, tensors, { x }, want).catch((e: Error) => assert.fail(`${act.kind} ${storage}: ${e.message}`));
    }
  }
});

test('an unfused BatchNorm as per-channel constants, f32 NCHW in, f16x2 NHWC out, then ReLU', { skip }, async () => {
  const shape = [2, 8, 3, 3];
  const x = randomTensor(shape, 5, -2, 2).data;
  const scale = randomTensor([8], 6, 0.5, 2).data;
  const shift = randomTensor([8], 7, -1, 1).data;
  const scaled = await ort('Mul', { x: { shape, data: x }, s: { shape: [8, 1, 1], data: scale } });
  const shifted = await ort('Add', { x: { shape, data: scaled }, b: { shape: [8, 1, 1], data: shift } });
  const want = await ort('Relu', { x: { shape, data: shifted } });
  const expr: PwExpr = { op: 'act', act: { kind: 'relu' }, arg: { op: 'binary', fn: 'add', a: { op: 'binary', fn: 'mul', a: input(0), b: input(1) }, b: input(2) } };
  const layer = pw(['x', 'const:0', 'const:1'], expr, [scale, shift]);
  await expectAll(layer, [tensor('x', shape, 'nchw'), tensor('y', shape, 'nhwc', 'f16x2')], { x }, want);
  await expectAll(layer, [tensor('x', shape, 'nhwc', 'f16x2'), tensor('y', shape, 'nchw')], { x: roundHalf(x) },
    await ort('Relu', { x: { shape, data: await ort('Add', { x: { shape, data: await ort('Mul', { x: { shape, data: roundHalf(x) }, s: { shape: [8, 1, 1], data: scale } }) }, b: { shape: [8, 1, 1], data: shift } }) } }), F16_TOLERANCE);
});

test('full-size and one-element constants, literal leaves, integer powers of negative bases', { skip }, async () => {
  const shape = [1, 4, 3, 2];
  const x = randomTensor(shape, 8, -2, 2).data;
  const full = randomTensor(shape, 9, -1, 1).data;
  const sum = await ort('Add', { x: { shape, data: x }, c: { shape, data: full } });
  const squared = await ort('Pow', { x: { shape, data: sum }, e: { shape: [], data: new Float32Array([2]) } });
  const cubed = await ort('Pow', { x: { shape, data: x }, e: { shape: [], data: new Float32Array([3]) } });
  const want = await ort('Sub', { a: { shape, data: await ort('Mul', { a: { shape, data: squared }, k: { shape: [], data: new Float32Array([0.5]) } }) }, b: { shape, data: cubed } });
  // (x + full)² · 0.5 − x³, with 0.5 as a one-element constant
  const expr: PwExpr = {
    op: 'binary', fn: 'sub',
    a: { op: 'binary', fn: 'mul', a: { op: 'binary', fn: 'pow', a: { op: 'binary', fn: 'add', a: input(0), b: input(1) }, b: { op: 'const', value: 2 } }, b: input(2) },
    b: { op: 'binary', fn: 'pow', a: input(0), b: { op: 'const', value: 3 } },
  };
  const layer = pw(['x', 'const:0', 'const:1'], expr, [full, new Float32Array([0.5])]);
  for (const layout of ['nchw', 'nhwc'] as const) {
    await expectAll(layer, [tensor('x', shape, 'nchw'), tensor('y', shape, layout)], { x }, want);
  }
});

test('a rank-2 plain tensor with a per-column operand and one input read twice', { skip }, async () => {
  const shape = [5, 6];
  const x = randomTensor(shape, 10).data;
  const b = randomTensor([6], 11).data;
  const xb = await ort('Add', { x: { shape, data: x }, b: { shape: [6], data: b } });
  const want = await ort('Mul', { a: { shape, data: xb }, x: { shape, data: x } });
  const expr: PwExpr = { op: 'binary', fn: 'mul', a: { op: 'binary', fn: 'add', a: input(0), b: input(1) }, b: input(2) };
  for (const storage of ['f32', 'f16x2'] as const) {
    const layer = pw(['x', 'b', 'x'], expr);
    const xr = storage === 'f16x2' ? roundHalf(x) : x;
    const ref = storage === 'f16x2'
      ? await ort('Mul', { a: { shape, data: await ort('Add', { x: { shape, data: xr }, b: { shape: [6], data: b } }) }, x: { shape, data: xr } })
      : want;
    await expectAll(layer, [tensor('x', shape, 'plain', storage), tensor('b', [6], 'plain'), tensor('y', shape, 'plain', storage)], { x: xr, b }, ref);
  }
});

test('output placed into an in-place concat target at a channel offset (nhwc f16x2 and nchw f32)', { skip }, async () => {
  const shape = [2, 4, 3, 3];
  const x = roundHalf(randomTensor(shape, 12, -1, 1).data);
  const relu = await ort('Relu', { x: { shape, data: x } });
  const layer = pw(['x'], { op: 'act', act: { kind: 'relu' }, arg: input(0) });
  for (const [layout, storage] of [['nhwc', 'f16x2'], ['nchw', 'f32']] as const) {
    const target = [2, 10, 3, 3];
    // expected target: channels 2..5 from the layer, the rest untouched (zero)
    const want = new Float32Array(2 * 10 * 9);
    for (let n = 0; n < 2; n++) for (let c = 0; c < 4; c++) for (let p = 0; p < 9; p++) want[(n * 10 + c + 2) * 9 + p] = relu[(n * 4 + c) * 9 + p]!;
    const tensors = [tensor('x', shape, layout, storage), tensor('y', shape, layout, storage), tensor('cat', target, layout, storage)];
    await expectAll(layer, tensors, { x }, want, undefined, { y: { target: 'cat', channelOffset: 2 } });
  }
});

test('an operand that does not broadcast is refused with a reason', { skip }, () => {
  const layer = pw(['x', 'b'], { op: 'binary', fn: 'add', a: input(0), b: input(1) });
  const reason = compilePointwise(layer, context([tensor('x', [1, 4, 2, 2]), tensor('b', [1, 3, 1, 1]), tensor('y', [1, 4, 2, 2])]));
  assert.equal(typeof reason, 'string');
  assert.match(reason as string, /does not broadcast/);
});
