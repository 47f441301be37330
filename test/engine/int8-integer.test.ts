// Integer ops in the engine (layers/integer.ts, layers/dynamic-quantize.ts): DynamicQuantizeLinear,
// MatMulInteger and ConvInteger (constant and run-time input zero points, per-tensor and per-column
// / per-channel weight zero points), and onnxruntime quantize_dynamic's pattern
// DynamicQuantizeLinear → MatMulInteger → Cast → Mul(scale·scale) → Add bias, each built as one
// engine on lavapipe (the build fails if any node is declined) and compared with onnxruntime-node:
// integers (the Cast outputs of the int32 sums, the quantized values, the zero point) exactly,
// the scale to f32 rounding, dequantized results within one quantization step of the product.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js';
import { buildEnginePlan } from '../../src/engine/builder.js';
import type { EnginePlan } from '../../src/engine/plan-format.js';
import { Engine } from '../../src/engine/runtime.js';
import { engineSupports } from '../../src/engine/support.js';
import { inferShapes } from '../../src/ir/infer.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import '../../src/ops/index.js';
import { opTyper } from '../../src/ops/typer.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { patternModel, type PatternSpec } from '../helpers/engine-pattern.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());

/** Seeded integers in [lo, hi] of a dtype. */
function ints(dtype: 'int8' | 'uint8', shape: number[], seed: number, lo: number, hi: number): Tensor {
  const r = randomTensor(shape, seed, 0, 1).data;
  const v = Array.from(r, (u) => Math.min(hi, lo + Math.floor(u * (hi - lo + 1))));
  return dtype === 'int8' ? new Tensor('int8', [...shape], Int8Array.from(v)) : new Tensor('uint8', [...shape], Uint8Array.from(v));
}

/**
 * Builds `spec` as one engine, runs it and returns [got, want, plan]; `tol[name]` is the largest
 * difference allowed from onnxruntime (0: exact), checked on every element.
 */
async function expectLikeOrt(spec: PatternSpec, tol: Record<string, number>, precision: 'fp32' | 'fp16' = 'fp32'): Promise<EnginePlan> {
  const model = patternModel(spec);
  const want = await runOrt(model, spec.inputs);
  const { graph } = importOnnx(model);
  const shapes = Object.fromEntries(Object.entries(spec.inputs).map(([k, t]) => [k, [...t.shape]]));
  const plan = await buildEnginePlan(gpu!, graph, shapes, { timeTactics: false, precision });
  const engine = await Engine.load(gpu!, plan);
  const context = await engine.createExecutionContext();
  try {
    const got = await context.run(spec.inputs);
    for (const name of spec.outputs) {
      const g = got[name]!.data as Float32Array;
      const w = Float32Array.from(want[name]!.numeric());
      assert.equal(g.length, w.length, `${name}: element count`);
      let worst = 0;
      let at = -1;
      for (let i = 0; i < g.length; i++) {
        const d = Math.abs(g[i]! - w[i]!);
        if (!(d <= worst)) [worst, at] = [d, i];
      }
      assert.ok(worst <= tol[name]!, `${precision} ${name}: element ${at} is ${g[at]}, onnxruntime ${w[at]} (allowed ${tol[name]})`);
    }
  } finally {
    context.dispose();
    engine.dispose();
  }
  return plan;
}

const kinds = (plan: EnginePlan) => plan.layers.map((l) => l.kind);

test('DynamicQuantizeLinear: quantized values and zero point exact, scale as onnxruntime (mixed, positive-only, negative-only and all-zero inputs)', { skip }, async () => {
  const inputs = [
    randomTensor([2, 3, 5], 3, -1.5, 2.5),
    randomTensor([2, 3, 5], 4, 0.25, 3),
    randomTensor([2, 3, 5], 5, -4, -0.5),
    new Tensor('float32', [2, 3, 5], new Float32Array(30)),
  ];
  for (const x of inputs) {
    const spec: PatternSpec = {
      nodes: [
        { op: 'DynamicQuantizeLinear', inputs: ['x'], outputs: ['q', 's', 'z'] },
        { op: 'Cast', inputs: ['q'], outputs: ['qf'], attrs: { to: 1 } },
        { op: 'Cast', inputs: ['z'], outputs: ['zf'], attrs: { to: 1 } },
      ],
      inputs: { x }, outputs: ['qf', 's', 'zf'], opset: 13,
    };
    await expectLikeOrt(spec, { qf: 0, s: 1e-9, zf: 0 });
  }
});

test('quantize_dynamic MatMul: DynamicQuantizeLinear → MatMulInteger (per-column int8 weights) → Cast → Mul(scale·scale) → Add bias, fp32 and fp16', { skip }, async () => {
  const [m, k, n] = [6, 20, 12];
  const wScale = Float32Array.from(randomTensor([n], 41, 0.004, 0.01).data);
  const spec: PatternSpec = {
    nodes: [
      { op: 'DynamicQuantizeLinear', inputs: ['x'], outputs: ['xq', 'xs', 'xz'] },
      { op: 'MatMulInteger', inputs: ['xq', 'w', 'xz', 'wz'], outputs: ['acc'] },
      { op: 'Cast', inputs: ['acc'], outputs: ['accf'], attrs: { to: 1 } },
      { op: 'Mul', inputs: ['xs', 'ws'], outputs: ['sc'] },
      { op: 'Mul', inputs: ['accf', 'sc'], outputs: ['deq'] },
      { op: 'Add', inputs: ['deq', 'b'], outputs: ['y'] },
    ],
    inputs: { x: randomTensor([2, m, k], 7, -2, 3) },
    initializers: {
      w: ints('int8', [k, n], 8, -127, 127), wz: ints('int8', [n], 9, -3, 3),
      ws: new Tensor('float32', [n], wScale), b: randomTensor([n], 10, -0.5, 0.5),
    },
    outputs: ['accf', 'y'], opset: 13,
  };
  // the product's integers are exact; y = acc·(xs·ws) + b differs from onnxruntime by float rounding only
  const plan = await expectLikeOrt(spec, { accf: 0, y: 1e-4 });
  assert.ok(kinds(plan).includes('qlinear'), JSON.stringify(kinds(plan)));
  assert.ok(plan.layers.find((l) => l.kind === 'qlinear')!.tactic.startsWith('int8-gemm-'));
  // fp16: the integer part stays f32; the float epilogue in halves (|y| ≲ 10: one half step is ~8e-3)
  await expectLikeOrt(spec, { accf: 0, y: 2e-2 }, 'fp16');
});

test('MatMulInteger after QuantizeLinear: constant uint8 input zero point, uint8 weights with a per-column zero point, K not a multiple of 4', { skip }, async () => {
  const [k, n] = [13, 7];
  const spec: PatternSpec = {
    nodes: [
      { op: 'QuantizeLinear', inputs: ['x', 'qs', 'qz'], outputs: ['xq'] },
      { op: 'MatMulInteger', inputs: ['xq', 'w', 'qz', 'wz'], outputs: ['acc'] },
      { op: 'Cast', inputs: ['acc'], outputs: ['y'], attrs: { to: 1 } },
    ],
    inputs: { x: randomTensor([5, k], 17, -1, 1) },
    initializers: {
      qs: Tensor.fromArray([], [0.01]), qz: new Tensor('uint8', [], Uint8Array.of(121)),
      w: ints('uint8', [k, n], 18, 60, 190), wz: ints('uint8', [n], 19, 120, 135),
    },
    outputs: ['y'], opset: 13,
  };
  await expectLikeOrt(spec, { y: 0 });
  // two MatMulIntegers of the same integers: int32 sums, so they stay two layers (no merged parts)
  const siblings: PatternSpec = {
    ...spec,
    nodes: [
      ...spec.nodes,
      { op: 'MatMulInteger', inputs: ['xq', 'w2', 'qz', 'wz2'], outputs: ['acc2'] },
      { op: 'Cast', inputs: ['acc2'], outputs: ['y2'], attrs: { to: 1 } },
    ],
    initializers: { ...spec.initializers, w2: ints('uint8', [k, 6], 20, 60, 190), wz2: ints('uint8', [6], 21, 120, 135) },
    outputs: ['y', 'y2'],
  };
  const plan = await expectLikeOrt(siblings, { y: 0, y2: 0 });
  assert.equal(plan.layers.filter((l) => l.kind === 'qlinear').length, 2);
});

test('ConvInteger: run-time zero point from DynamicQuantizeLinear, uint8 weights with a zero point (per tensor: onnxruntime has no per-channel ConvInteger), pads and stride; int8 input, groups and dilation', { skip }, async () => {
  const dyn: PatternSpec = {
    nodes: [
      { op: 'DynamicQuantizeLinear', inputs: ['x'], outputs: ['xq', 'xs', 'xz'] },
      { op: 'ConvInteger', inputs: ['xq', 'w', 'xz', 'wz'], outputs: ['acc'], attrs: { pads: [1, 1, 1, 1], strides: [2, 1] } },
      { op: 'Cast', inputs: ['acc'], outputs: ['y'], attrs: { to: 1 } },
    ],
    inputs: { x: randomTensor([1, 3, 9, 8], 21, -1, 2) },
    initializers: { w: ints('uint8', [6, 3, 3, 3], 22, 80, 200), wz: new Tensor('uint8', [], Uint8Array.of(131)) },
    outputs: ['y'], opset: 13,
  };
  const plan = await expectLikeOrt(dyn, { y: 0 });
  assert.ok(plan.layers.find((l) => l.kind === 'qlinear')!.tactic.startsWith('int8-conv-'));
  const grouped: PatternSpec = {
    nodes: [
      { op: 'QuantizeLinear', inputs: ['x', 'qs', 'qz'], outputs: ['xq'] },
      { op: 'ConvInteger', inputs: ['xq', 'w', 'qz'], outputs: ['acc'], attrs: { group: 2, dilations: [2, 2], pads: [2, 2, 2, 2] } },
      { op: 'Cast', inputs: ['acc'], outputs: ['y'], attrs: { to: 1 } },
    ],
    inputs: { x: randomTensor([2, 4, 7, 7], 24, -1, 1) },
    initializers: { qs: Tensor.fromArray([], [0.02]), qz: new Tensor('int8', [], Int8Array.of(-3)), w: ints('int8', [6, 2, 3, 3], 25, -127, 127) },
    outputs: ['y'], opset: 13,
  };
  await expectLikeOrt(grouped, { y: 0 });
});

test('integer ops the engine cannot take are declined with a reason: MatMulInteger of two activations and with a per-row A zero point; the quantize_dynamic nodes are taken', () => {
  const model = patternModel({
    nodes: [
      { op: 'DynamicQuantizeLinear', inputs: ['x'], outputs: ['xq', 'xs', 'xz'] },
      { op: 'MatMulInteger', inputs: ['xq', 'xq2', 'xz'], outputs: ['a'] },
      { op: 'MatMulInteger', inputs: ['xq', 'w', 'rowz'], outputs: ['b'] },
      { op: 'Transpose', inputs: ['xq'], outputs: ['xq2'] },
      { op: 'Cast', inputs: ['a'], outputs: ['af'], attrs: { to: 1 } },
    ],
    inputs: { x: randomTensor([4, 4], 1) },
    initializers: { w: ints('int8', [4, 3], 2, -5, 5), rowz: new Tensor('uint8', [4], new Uint8Array(4)) },
    outputs: ['af', 'b'], opset: 13,
  });
  const { graph } = importOnnx(model);
  const types = inferShapes(graph, opTyper, { x: [4, 4] });
  const verdict = (name: string) => engineSupports(graph.nodes.find((nd) => nd.name === name)!, types, graph);
  assert.match(String(verdict('MatMulInteger_1')), /B is not a constant/);
  assert.match(String(verdict('MatMulInteger_2')), /per-row input zero point/);
  assert.equal(verdict('DynamicQuantizeLinear_0'), true);
  assert.equal(verdict('Cast_4'), true);
});
