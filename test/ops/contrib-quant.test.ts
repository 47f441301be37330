// onnxruntime's QOperator ops (com.microsoft QLinear*, QGemm, QuantizeLinear/DequantizeLinear, as
// its quantization tools write them) and the fused ops of its graph optimizer (FusedConv,
// FusedGemm, FusedMatMul): nnrt's CPU kernels against onnxruntime-node on seeded random inputs.
// Quantized outputs must match exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphError, ShapeError, UnsupportedError } from '../../src/errors.js';
import { compareTensors, type Tolerance } from '../../src/tensor/compare.js';
import type { DType } from '../../src/tensor/dtype.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { ModelProto, ONNX_DTYPE, TensorProto } from '../../src/onnx/proto.js';
import { tensorFromProto } from '../../src/onnx/import/tensor.js';
import { readFileSync } from 'node:fs';
import { createSession } from '../../src/runtime/session.js';
import { attrProto, oneNodeModel, randomTensor, runNnrt, runOrt, tensorProto, type AttrSpec, type OneNodeSpec } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const MS = 'com.microsoft';
const FULL = new URL('../../../shared/fixtures/onnx-node-full/', import.meta.url).pathname;
const EXACT: Tolerance = { atol: 0, rtol: 0 };
const FLOAT_TOL: Tolerance = { atol: 1e-4, rtol: 1e-3 };
/** One unit in the last place, on at most 1% of the elements (where onnxruntime approximates; said where used). */
const ONE_LSB: Tolerance = { atol: 1, rtol: 0 };
const Q8 = ['uint8', 'int8'] as const;
type Q8 = (typeof Q8)[number];

/** Seeded integers in [lo, hi] (default: the dtype's whole range). */
function ints(dtype: DType, shape: number[], seed: number, lo = dtype === 'int8' ? -128 : 0, hi = dtype === 'int8' ? 127 : 255): Tensor {
  const r = randomTensor(shape, seed, lo, hi + 1).numeric();
  return Tensor.fromNumeric(dtype, shape, Array.from(r, Math.floor));
}
const f32 = (v: number) => Tensor.scalar('float32', v);
/** A zero point given as its uint8 value, moved into int8's range for int8 (so both types see the same offsets). */
const zp = (dtype: Q8, u8: number) => Tensor.scalar(dtype, dtype === 'uint8' ? u8 : u8 - 128);

type Spec = Omit<OneNodeSpec, 'domain'> & { domain?: string };

/** Runs one node in both runtimes and compares every named output (dtype, shape, values); `ort` is an equivalent node for onnxruntime where it cannot run `spec` itself. */
async function sameAsOrt(spec: Spec, tol = EXACT, label = '', ort: Spec = spec): Promise<Record<string, Tensor>> {
  const model = oneNodeModel({ domain: MS, ...spec });
  const want = await runOrt(ort === spec ? model : oneNodeModel({ domain: MS, ...ort }), spec.inputs);
  const got = await runNnrt(model, spec.inputs);
  for (const name of spec.outputs.filter(Boolean)) {
    assert.ok(want[name], `onnxruntime produced ${name}`);
    const c = compareTensors(got[name]!, want[name]!, tol);
    assert.ok(c.pass, `${spec.op} ${label} ${name}: ${c.reason ?? JSON.stringify(c)}`);
    if (tol === ONE_LSB) {
      const off = compareTensors(got[name]!, want[name]!, EXACT).mismatches;
      assert.ok(off <= Math.ceil(want[name]!.size / 100), `${spec.op} ${label} ${name}: ${off} of ${want[name]!.size} elements are one off`);
    }
  }
  return want;
}

/**
 * `spec` with each omitted input ('') given as a zero of `dtype`, for onnxruntime: its type
 * inference rejects a zero point omitted before the last input, and its lookup-table ops abort when
 * the optional last input is left out, although both are optional in its schema.
 */
function withZeros(spec: Spec, dtype: DType): Spec {
  return { ...spec, initializers: { ...spec.initializers, zero: Tensor.scalar(dtype, 0) }, inputOrder: spec.inputOrder.map((n) => n || 'zero') };
}

/** A reference output that exercises something: several distinct values. */
function assertVaried(t: Tensor, what: string): void {
  assert.ok(new Set(t.numeric()).size >= 8, `${what}: onnxruntime's output has too few distinct values to test anything`);
}

test('QLinearAdd and QLinearMul match onnxruntime (uint8, int8, broadcasting, omitted zero points)', async () => {
  const shapes: [number[], number[]][] = [
    [[2, 3, 4, 5], [2, 3, 4, 5]], [[2, 3, 4, 5], [3, 1, 5]], [[2, 3, 4, 5], []], [[1], [2, 3, 37]], [[3, 1], [1, 37]], [[2, 1, 4], [3, 1]],
  ];
  let seed = 100;
  for (const dtype of Q8) {
    for (const op of ['QLinearAdd', 'QLinearMul']) {
      const cScale = op === 'QLinearAdd' ? 0.07 : 0.4;
      for (const [sa, sb] of shapes) {
        const want = await sameAsOrt({
          op, inputs: { a: ints(dtype, sa, seed++), b: ints(dtype, sb, seed++) },
          initializers: { as: f32(0.05), az: zp(dtype, 120), bs: f32(0.03), bz: zp(dtype, 131), cs: f32(cScale), cz: zp(dtype, 125) },
          inputOrder: ['a', 'as', 'az', 'b', 'bs', 'bz', 'cs', 'cz'], outputs: ['c'],
        }, EXACT, `${dtype} [${sa}]·[${sb}]`);
        if (sa.length === 4 && sb.length === 4) assertVaried(want.c!, `${op} ${dtype}`);
      }
      // zero points omitted (0): C_zero_point last, A's and B's as empty names
      const omitted = {
        op, inputs: { a: ints(dtype, [4, 9], seed++, 0, 100), b: ints(dtype, [9], seed++, 0, 100) },
        initializers: { as: f32(0.02), bs: f32(0.011), cs: f32(0.05) },
        inputOrder: ['a', 'as', '', 'b', 'bs', '', 'cs'], outputs: ['c'],
      };
      await sameAsOrt(omitted, EXACT, `${dtype} without zero points`, withZeros(omitted, dtype));
    }
  }
});

test('QLinearSigmoid and QLinearLeakyRelu match onnxruntime (uint8, int8, default and given alpha)', async () => {
  let seed = 200;
  for (const dtype of Q8) {
    const x = ints(dtype, [3, 5, 17], seed++);
    const base = { inputs: { x }, initializers: { xs: f32(0.045), xz: zp(dtype, 118), ys: f32(0.02), yz: zp(dtype, 100) }, outputs: ['y'] };
    const order = ['x', 'xs', 'xz', 'ys', 'yz'];
    assertVaried((await sameAsOrt({ ...base, op: 'QLinearLeakyRelu', inputOrder: order }, EXACT, dtype)).y!, 'QLinearLeakyRelu');
    await sameAsOrt({ ...base, op: 'QLinearLeakyRelu', attrs: { alpha: { float: 0.3 } }, inputOrder: order }, EXACT, `${dtype} alpha 0.3`);
    const leaky = { ...base, op: 'QLinearLeakyRelu', attrs: { alpha: { float: 0.25 } }, inputOrder: ['x', 'xs', '', 'ys', ''] };
    await sameAsOrt(leaky, EXACT, `${dtype} no zero points`, withZeros(leaky, dtype));
    // onnxruntime tabulates the sigmoid with MlasComputeLogistic, a rational approximation (about
    // 1e-7 off, and rounded differently by its SSE and FMA kernels): where the value falls on a
    // rounding boundary the byte may differ by one
    const sig = { ...base, op: 'QLinearSigmoid', initializers: { ...base.initializers, ys: f32(1 / 256), yz: zp(dtype, 0) } };
    assertVaried((await sameAsOrt({ ...sig, inputOrder: order }, ONE_LSB, dtype)).y!, 'QLinearSigmoid');
    const sigNoZero = { ...sig, inputOrder: ['x', 'xs', '', 'ys', ''] };
    await sameAsOrt(sigNoZero, ONE_LSB, `${dtype} no zero points`, withZeros(sigNoZero, dtype));
  }
});

test('QLinearGlobalAveragePool matches onnxruntime (NCHW and NHWC, uint8 and int8, 1-D to 3-D images)', async () => {
  let seed = 300;
  for (const dtype of Q8) {
    const q = { xs: f32(0.07), xz: zp(dtype, 110), ys: f32(0.05), yz: zp(dtype, 140) };
    for (const [shape, channelsLast] of [[[2, 3, 5, 4], 0], [[2, 5, 4, 3], 1], [[1, 4, 7], 0], [[1, 7, 4], 1], [[2, 3, 2, 3, 4], 1], [[3, 1, 6, 6], 1]] as const) {
      await sameAsOrt({
        op: 'QLinearGlobalAveragePool', attrs: { channels_last: channelsLast },
        inputs: { x: ints(dtype, [...shape], seed++) }, initializers: q,
        inputOrder: ['x', 'xs', 'xz', 'ys', 'yz'], outputs: ['y'],
      }, EXACT, `${dtype} [${shape}] channels_last=${channelsLast}`);
    }
  }
});

test('QLinearAveragePool matches onnxruntime (NCHW and NHWC, pads, strides, ceil_mode, count_include_pad, 1-D to 3-D)', async () => {
  const cases: { shape: number[]; attrs: Record<string, AttrSpec> }[] = [
    { shape: [2, 3, 7, 6], attrs: { kernel_shape: [3, 2] } },
    { shape: [2, 3, 7, 6], attrs: { kernel_shape: [3, 3], strides: [2, 1], pads: [1, 0, 1, 2] } },
    { shape: [2, 3, 7, 6], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 } },
    { shape: [1, 2, 8, 7], attrs: { kernel_shape: [3, 2], strides: [2, 2], ceil_mode: 1, count_include_pad: 1, pads: [1, 0, 0, 0] } },
    { shape: [1, 2, 7, 7], attrs: { kernel_shape: [2, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' } },
    { shape: [2, 4, 9], attrs: { kernel_shape: [4], strides: [2], pads: [2, 1] } },
    { shape: [1, 2, 4, 5, 6], attrs: { kernel_shape: [2, 3, 2], strides: [1, 2, 2], pads: [0, 1, 1, 1, 0, 0] } },
    // the window is the whole unpadded image: onnxruntime takes its global-average path
    { shape: [2, 3, 4, 5], attrs: { kernel_shape: [4, 5] } },
  ];
  let seed = 400;
  for (const dtype of Q8) {
    for (const { shape, attrs } of cases) {
      for (const channelsLast of [0, 1]) {
        const x = ints(dtype, channelsLast ? [shape[0]!, ...shape.slice(2), shape[1]!] : shape, seed++);
        await sameAsOrt({
          op: 'QLinearAveragePool', attrs: { ...attrs, channels_last: channelsLast }, inputs: { x },
          initializers: { xs: f32(0.06), xz: zp(dtype, 125), ys: f32(0.035), yz: zp(dtype, 120) },
          inputOrder: ['x', 'xs', 'xz', 'ys', 'yz'], outputs: ['y'],
        }, EXACT, `${dtype} ${JSON.stringify(attrs)} channels_last=${channelsLast}`);
      }
    }
    const omitted = {
      op: 'QLinearAveragePool', attrs: { kernel_shape: [2, 2] }, inputs: { x: ints(dtype, [1, 2, 5, 5], seed++, 0, 100) },
      initializers: { xs: f32(0.06), ys: f32(0.035) }, inputOrder: ['x', 'xs', '', 'ys'], outputs: ['y'],
    };
    await sameAsOrt(omitted, EXACT, `${dtype} without zero points`, withZeros(omitted, dtype));
  }
});

test('QLinearConcat matches onnxruntime (requantized inputs, one with Y\'s parameters, uint8 and int8)', async () => {
  let seed = 500;
  for (const dtype of Q8) {
    for (const axis of [1, -1]) {
      const shapes = axis === 1 ? [[2, 3, 4], [2, 1, 4], [2, 5, 4]] : [[2, 3, 4], [2, 3, 2], [2, 3, 7]];
      const params = [[0.04, 120], [0.1, 128], [0.02, 90]] as const;
      const inputs: Record<string, Tensor> = {};
      const initializers: Record<string, Tensor> = { ys: f32(0.1), yz: zp(dtype, 128) };
      const order = ['ys', 'yz'];
      shapes.forEach((s, i) => {
        inputs[`x${i}`] = ints(dtype, s, seed++);
        initializers[`s${i}`] = f32(params[i]![0]);
        initializers[`z${i}`] = zp(dtype, params[i]![1]);
        order.push(`x${i}`, `s${i}`, `z${i}`);
      });
      const want = await sameAsOrt({ op: 'QLinearConcat', attrs: { axis }, inputs, initializers, inputOrder: order, outputs: ['y'] }, EXACT, `${dtype} axis ${axis}`);
      assertVaried(want.y!, 'QLinearConcat');
    }
  }
});

test('QLinearSoftmax matches onnxruntime (opset 12 flattened, opset 13 on the last and a middle axis)', async () => {
  let seed = 600;
  for (const dtype of Q8) {
    // y_scale 1/256 is what the quantization tools write; values stay below int8's top, where
    // onnxruntime's int8 kernel wraps instead of saturating
    const q = { xs: f32(0.012), xz: zp(dtype, 128), ys: f32(1 / 256), yz: zp(dtype, 0) };
    for (const [opset, axis] of [[12, 1], [12, 2], [13, -1], [13, 1], [13, undefined]] as const) {
      const attrs: Record<string, AttrSpec> = { opset, ...(axis === undefined ? {} : { axis }) };
      const want = await sameAsOrt({
        op: 'QLinearSoftmax', attrs, inputs: { x: ints(dtype, [2, 3, 6], seed++) }, initializers: q,
        inputOrder: ['x', 'xs', 'xz', 'ys', 'yz'], outputs: ['y'],
      }, EXACT, `${dtype} opset ${opset} axis ${axis}`);
      assertVaried(want.y!, 'QLinearSoftmax');
    }
    const omitted = {
      op: 'QLinearSoftmax', attrs: { opset: 13 }, inputs: { x: ints(dtype, [4, 10], seed++) }, initializers: q,
      inputOrder: ['x', 'xs', '', 'ys', 'yz'], outputs: ['y'],
    };
    await sameAsOrt(omitted, EXACT, `${dtype} without x_zero_point`, withZeros(omitted, dtype));
  }
});

test('QLinearSoftmax saturates where onnxruntime overflows or wraps', async () => {
  // one element per row: p = 1, 256 at y_scale 1/256, saturates to 255; onnxruntime's scaled
  // float32 exp overflows there and returns 0
  const one = oneNodeModel({
    op: 'QLinearSoftmax', domain: MS, attrs: { opset: 13 }, inputs: { x: ints('uint8', [3, 1], 1100) },
    initializers: { xs: f32(0.1), ys: f32(1 / 256), yz: zp('uint8', 0) }, inputOrder: ['x', 'xs', '', 'ys', 'yz'], outputs: ['y'],
  });
  assert.deepEqual([...(await runNnrt(one, { x: ints('uint8', [3, 1], 1100) })).y!.numeric()], [255, 255, 255]);
  // int8, y_zero_point −128: p ≈ 1 gives 128, saturated to 127 (onnxruntime's int8 kernel wraps it to −128);
  // the others are e^(−255) ≈ 0
  const x = Tensor.fromNumeric('int8', [1, 4], [127, -128, -128, -128]);
  const wraps = oneNodeModel({
    op: 'QLinearSoftmax', domain: MS, attrs: { opset: 13 }, inputs: { x },
    initializers: { xs: f32(1), ys: f32(1 / 256), yz: zp('int8', 0) }, inputOrder: ['x', 'xs', '', 'ys', 'yz'], outputs: ['y'],
  });
  assert.deepEqual([...(await runNnrt(wraps, { x })).y!.numeric()], [127, -128, -128, -128]);
});

test('QGemm matches onnxruntime (with and without C and y_scale, per-column b, transposes, alpha)', async () => {
  let seed = 700;
  const c32 = (shape: number[]) => ints('int32', shape, seed++, -3000, 3000);
  // onnxruntime's AVX2 uint8 × int8 kernels multiply with vpmaddubsw, which saturates each pair of
  // products at int16; 7-bit weights (its quantizer's reduce_range) keep the test independent of the CPU
  const cases: { a: Q8; b: Q8; bRange?: [number, number] }[] = [{ a: 'uint8', b: 'uint8' }, { a: 'uint8', b: 'int8', bRange: [-64, 63] }, { a: 'int8', b: 'int8' }];
  for (const { a: ta, b: tb, bRange } of cases) {
    const label = `${ta}×${tb}`;
    const b = (shape: number[]) => ints(tb, shape, seed++, ...(bRange ?? []));
    const quantized = { ys: f32(0.9), yz: zp(ta, 128) };
    const base = { as: f32(0.03), az: zp(ta, 125), bs: f32(0.02), bz: zp(tb, 128) };
    // quantized Y with a [N] bias
    assertVaried((await sameAsOrt({
      op: 'QGemm', inputs: { a: ints(ta, [5, 7], seed++) }, initializers: { ...base, b: b([7, 6]), c: c32([6]), ...quantized },
      inputOrder: ['a', 'as', 'az', 'b', 'bs', 'bz', 'c', 'ys', 'yz'], outputs: ['y'],
    }, EXACT, `${label} C [N]`)).y!, 'QGemm');
    // transposes, alpha, per-column b scale and zero point, an [M, 1] bias
    await sameAsOrt({
      op: 'QGemm', attrs: { transA: 1, transB: 1, alpha: { float: 0.5 } }, inputs: { a: ints(ta, [7, 5], seed++) },
      initializers: {
        ...base, b: b([6, 7]), bs: Tensor.fromArray([6], [0.02, 0.01, 0.03, 0.015, 0.025, 0.005]),
        bz: Tensor.fromNumeric(tb, [6], tb === 'uint8' ? [128, 120, 130, 127, 140, 100] : [0, -8, 2, -1, 12, -28]), c: c32([5, 1]), ...quantized,
      },
      inputOrder: ['a', 'as', 'az', 'b', 'bs', 'bz', 'c', 'ys', 'yz'], outputs: ['y'],
    }, EXACT, `${label} transposed, per-column`);
    // no C; an [M, N] C; float Y (no y_scale), and float Y divided by a lone y_scale
    await sameAsOrt({ op: 'QGemm', inputs: { a: ints(ta, [3, 8], seed++) }, initializers: { ...base, b: b([8, 4]), ...quantized }, inputOrder: ['a', 'as', 'az', 'b', 'bs', 'bz', '', 'ys', 'yz'], outputs: ['y'] }, EXACT, `${label} no C`);
    await sameAsOrt({ op: 'QGemm', inputs: { a: ints(ta, [3, 8], seed++) }, initializers: { ...base, b: b([8, 4]), c: c32([3, 4]) }, inputOrder: ['a', 'as', 'az', 'b', 'bs', 'bz', 'c'], outputs: ['y'] }, EXACT, `${label} float Y`);
    await sameAsOrt({ op: 'QGemm', inputs: { a: ints(ta, [3, 8], seed++) }, initializers: { ...base, b: b([8, 4]) }, inputOrder: ['a', 'as', 'az', 'b', 'bs', 'bz'], outputs: ['y'] }, EXACT, `${label} float Y, no C`);
    await sameAsOrt({ op: 'QGemm', inputs: { a: ints(ta, [3, 8], seed++) }, initializers: { ...base, b: b([8, 4]), ys: f32(0.25) }, inputOrder: ['a', 'as', 'az', 'b', 'bs', 'bz', '', 'ys'], outputs: ['y'] }, EXACT, `${label} float Y / y_scale`);
  }
});

test('com.microsoft QuantizeLinear and DequantizeLinear match onnxruntime (per tensor and per axis)', async () => {
  let seed = 800;
  for (const dtype of Q8) {
    const x = randomTensor([2, 3, 5], seed++, -3, 3);
    const q = await sameAsOrt({ op: 'QuantizeLinear', inputs: { x }, initializers: { s: f32(0.02), z: zp(dtype, 120) }, inputOrder: ['x', 's', 'z'], outputs: ['y'] }, EXACT, dtype);
    assert.ok(q.y!.numeric().includes(dtype === 'uint8' ? 255 : 127), 'saturation is exercised');
    await sameAsOrt({
      op: 'QuantizeLinear', attrs: { axis: 1 }, inputs: { x },
      initializers: { s: Tensor.fromArray([3], [0.02, 0.05, 0.1]), z: Tensor.fromNumeric(dtype, [3], dtype === 'uint8' ? [128, 10, 250] : [0, -100, 100]) },
      inputOrder: ['x', 's', 'z'], outputs: ['y'],
    }, EXACT, `${dtype} per axis`);
    const xq = ints(dtype, [4, 6], seed++);
    await sameAsOrt({ op: 'DequantizeLinear', inputs: { x: xq }, initializers: { s: f32(0.037), z: zp(dtype, 133) }, inputOrder: ['x', 's', 'z'], outputs: ['y'] }, FLOAT_TOL, dtype);
    await sameAsOrt({
      op: 'DequantizeLinear', attrs: { axis: 0 }, inputs: { x: xq },
      initializers: { s: Tensor.fromArray([4], [0.1, 0.2, 0.05, 0.01]), z: Tensor.fromNumeric(dtype, [4], dtype === 'uint8' ? [0, 128, 200, 7] : [0, -128, 72, 7]) },
      inputOrder: ['x', 's', 'z'], outputs: ['y'],
    }, FLOAT_TOL, `${dtype} per axis`);
  }
  await sameAsOrt({ op: 'QuantizeLinear', inputs: { x: randomTensor([7], seed++, -1, 3) }, initializers: { s: f32(0.01) }, inputOrder: ['x', 's'], outputs: ['y'] }, EXACT, 'no zero point: uint8');
});

test('com.microsoft QuantizeLinear saturates to 16- and 4-bit zero points\' ranges (ONNX\'s test data, its node moved to com.microsoft)', async () => {
  // onnxruntime's contrib QuantizeLinear takes the same zero-point types and math as ai.onnx's; the
  // importer widens 16- and 4-bit zero points and must record their type for this op too
  for (const name of ['test_quantizelinear_int16', 'test_quantizelinear_uint16', 'test_quantizelinear_int4', 'test_quantizelinear_uint4']) {
    const dir = `${FULL}${name}/`;
    const model = ModelProto.toObject(ModelProto.decode(readFileSync(`${dir}model.onnx`)), { longs: Number, defaults: true }) as {
      graph: { node: { domain: string; attribute: { name: string }[] }[]; input: { name: string }[] }; opsetImport: { domain: string; version: number }[];
    };
    const node = model.graph.node[0]!;
    node.domain = MS;
    node.attribute = node.attribute.filter((a) => a.name === 'axis');
    model.opsetImport.push({ domain: MS, version: 1 });
    const session = await createSession(importOnnx(ModelProto.encode(ModelProto.fromObject(model)).finish()).graph, { device: 'cpu' });
    const pb = (file: string) => tensorFromProto(TensorProto.decode(readFileSync(`${dir}test_data_set_0/${file}`)) as never, file);
    const feeds = Object.fromEntries(model.graph.input.map((v, i) => [v.name, pb(`input_${i}.pb`)]));
    const got = Object.values(await session.run(feeds))[0]!;
    const want = pb('output_0.pb');
    assert.deepEqual([...got.numeric()], [...want.numeric()], name);
  }
});

test('FusedConv matches onnxruntime with each activation, with and without Z', async () => {
  const x = randomTensor([2, 4, 7, 6], 900, -1, 1);
  const w = randomTensor([6, 2, 3, 3], 901, -0.5, 0.5);
  const bias = randomTensor([6], 902, -0.5, 0.5);
  const z = randomTensor([2, 6, 6, 3], 903, -1, 1);
  const conv = { group: 2, strides: [1, 2], pads: [1, 1, 0, 1] };
  const activations: [string | undefined, number[]][] = [
    [undefined, []], ['Relu', []], ['Tanh', []], ['Sigmoid', []], ['LeakyRelu', [0.2]], ['Clip', [-0.3, 0.4]], ['HardSigmoid', [0.3, 0.45]],
  ];
  for (const [activation, params] of activations) {
    const attrs: Record<string, AttrSpec> = { ...conv, ...(activation ? { activation } : {}), ...(params.length ? { activation_params: { floats: params } } : {}) };
    await sameAsOrt({ op: 'FusedConv', attrs, inputs: { x }, initializers: { w, bias }, inputOrder: ['x', 'w', 'bias'], outputs: ['y'] }, FLOAT_TOL, `${activation}`);
    await sameAsOrt({ op: 'FusedConv', attrs, inputs: { x, z }, initializers: { w, bias }, inputOrder: ['x', 'w', 'bias', 'z'], outputs: ['y'] }, FLOAT_TOL, `${activation} + Z`);
  }
  await sameAsOrt({
    op: 'FusedConv', attrs: { activation: 'Relu', auto_pad: 'SAME_UPPER' }, inputs: { x: randomTensor([1, 3, 5, 5], 904), z: randomTensor([1, 2, 5, 5], 905) },
    initializers: { w: randomTensor([2, 3, 3, 3], 906) }, inputOrder: ['x', 'w', '', 'z'], outputs: ['y'],
  }, FLOAT_TOL, 'no bias, Z');
});

test('FusedGemm matches onnxruntime with its activations, transposes, alpha and beta', async () => {
  const activations: Record<string, AttrSpec>[] = [
    {}, { activation: 'Relu' }, { activation: 'Tanh' }, { activation: 'Sigmoid' }, { activation: 'Softsign' }, { activation: 'Softplus' },
    { activation: 'LeakyRelu', activation_alpha: { float: 0.1 } }, { activation: 'Elu', activation_alpha: { float: 0.9 } },
    { activation: 'ThresholdedRelu', activation_alpha: { float: 0.2 } }, { activation: 'HardSigmoid', activation_alpha: { float: 0.25 }, activation_beta: { float: 0.4 } },
    { activation: 'Selu', activation_alpha: { float: 1.5 }, activation_gamma: { float: 1.1 } }, { activation: 'Celu', activation_alpha: { float: 0.8 } },
    { activation: 'ScaledTanh', activation_alpha: { float: 1.2 }, activation_beta: { float: 0.8 } },
    { activation: 'ParametricSoftplus', activation_alpha: { float: 0.9 }, activation_beta: { float: 1.1 } },
  ];
  for (const act of activations) {
    const spec = {
      op: 'FusedGemm', attrs: { alpha: { float: 0.7 }, beta: { float: 0.3 }, ...act },
      inputs: { a: randomTensor([4, 5], 910, -2, 2) }, initializers: { b: randomTensor([5, 3], 911, -2, 2), c: randomTensor([3], 912) },
      inputOrder: ['a', 'b', 'c'], outputs: ['y'],
    };
    // onnxruntime's FusedGemm requires an activation; without one nnrt's is the ai.onnx Gemm
    const ort = act.activation ? spec : { ...spec, op: 'Gemm', domain: '' };
    await sameAsOrt(spec, FLOAT_TOL, JSON.stringify(act), ort);
  }
  await sameAsOrt({
    op: 'FusedGemm', attrs: { transA: 1, transB: 1, activation: 'LeakyRelu', activation_alpha: { float: 0.05 } },
    inputs: { a: randomTensor([5, 4], 913, -2, 2) }, initializers: { b: randomTensor([3, 5], 914, -2, 2), c: randomTensor([4, 1], 915) },
    inputOrder: ['a', 'b', 'c'], outputs: ['y'],
  }, FLOAT_TOL, 'transposed, C [M, 1]');
});

test('FusedMatMul matches onnxruntime (alpha, transA/B, transBatchA/B, broadcasting, 1-D)', async () => {
  const cases: { a: number[]; b: number[]; attrs: Record<string, AttrSpec> }[] = [
    { a: [2, 3, 4], b: [2, 4, 5], attrs: { alpha: { float: 0.5 } } },
    { a: [2, 4, 3], b: [2, 5, 4], attrs: { transA: 1, transB: 1 } },
    { a: [3, 2, 4], b: [2, 4, 5], attrs: { transBatchA: 1, alpha: { float: 1.5 } } },
    { a: [2, 3, 4], b: [4, 2, 5], attrs: { transBatchB: 1 } },
    { a: [4, 2, 3], b: [5, 2, 4], attrs: { transA: 1, transBatchA: 1, transB: 1, transBatchB: 1 } },
    { a: [3, 2, 2, 4], b: [2, 2, 4, 5], attrs: { transBatchA: 1 } },
    { a: [3, 4], b: [2, 5, 4], attrs: { transB: 1, alpha: { float: -2 } } },
    { a: [4], b: [2, 4, 5], attrs: { transA: 1 } },
    { a: [2, 3, 4], b: [4], attrs: { alpha: { float: 0.25 } } },
  ];
  let seed = 920;
  for (const { a, b, attrs } of cases) {
    await sameAsOrt({ op: 'FusedMatMul', attrs, inputs: { a: randomTensor(a, seed++), b: randomTensor(b, seed++) }, inputOrder: ['a', 'b'], outputs: ['y'] }, FLOAT_TOL, `[${a}]·[${b}] ${JSON.stringify(attrs)}`);
  }
});

test('float16 FusedConv, FusedGemm and FusedMatMul agree with onnxruntime on the same values in float32', async () => {
  // onnxruntime has no float16 CPU kernels for these; nnrt computes in float32 and rounds once to float16
  const half = (t: Tensor) => Tensor.fromNumeric('float16', t.shape, t.numeric());
  const wide = (t: Tensor) => Tensor.fromNumeric('float32', t.shape, t.numeric());
  const cases: Spec[] = [
    { op: 'FusedConv', attrs: { activation: 'LeakyRelu', activation_params: { floats: [0.1] }, pads: [1, 1, 1, 1] }, inputs: { x: randomTensor([1, 2, 5, 5], 1300), w: randomTensor([3, 2, 3, 3], 1301), b: randomTensor([3], 1302), z: randomTensor([1, 3, 5, 5], 1303) }, inputOrder: ['x', 'w', 'b', 'z'], outputs: ['y'] },
    { op: 'FusedGemm', attrs: { transB: 1, activation: 'Tanh' }, inputs: { a: randomTensor([3, 6], 1304), b: randomTensor([4, 6], 1305), c: randomTensor([4], 1306) }, inputOrder: ['a', 'b', 'c'], outputs: ['y'] },
    { op: 'FusedMatMul', attrs: { transBatchA: 1, alpha: { float: 0.5 } }, inputs: { a: randomTensor([3, 2, 4], 1307), b: randomTensor([2, 4, 5], 1308) }, inputOrder: ['a', 'b'], outputs: ['y'] },
  ];
  for (const spec of cases) {
    const halves = Object.fromEntries(Object.entries(spec.inputs).map(([k, t]) => [k, half(t)]));
    const widened = Object.fromEntries(Object.entries(halves).map(([k, t]) => [k, wide(t)]));
    const want = (await runOrt(oneNodeModel({ domain: MS, ...spec, inputs: widened }), widened)).y!;
    const got = (await runNnrt(oneNodeModel({ domain: MS, ...spec, inputs: halves }), halves)).y!;
    assert.equal(got.dtype, 'float16');
    const c = compareTensors(wide(got), want, { atol: 1e-3, rtol: 1e-3 });
    assert.ok(c.pass, `${spec.op} float16: ${c.reason ?? JSON.stringify(c)}`);
  }
});

test('bad QOperator and fused inputs give typed errors naming the node', async () => {
  const run = (spec: Omit<OneNodeSpec, 'domain'>) => runNnrt(oneNodeModel({ domain: MS, ...spec }), spec.inputs);
  const where = (cls: new (...a: never[]) => Error, text: RegExp) => (e: unknown) =>
    e instanceof cls && /node 'n'/.test(String((e as { where?: string }).where ?? e)) && text.test((e as Error).message);
  const x = ints('uint8', [2, 3], 990);
  const unary = (init: Record<string, Tensor>) => ({ op: 'QLinearSigmoid', inputs: { x }, initializers: init, inputOrder: ['x', 'xs', 'xz', 'ys', 'yz'], outputs: ['y'] });
  // a per-channel scale where onnxruntime quantizes per tensor
  await assert.rejects(run(unary({ xs: Tensor.fromArray([3], [0.1, 0.2, 0.3]), xz: zp('uint8', 1), ys: f32(0.1), yz: zp('uint8', 0) })), where(ShapeError, /X_scale.*per tensor/));
  // a zero point whose type differs from the data's
  await assert.rejects(run(unary({ xs: f32(0.1), xz: Tensor.scalar('int8', 1), ys: f32(0.1), yz: zp('uint8', 0) })), where(ShapeError, /X_zero_point is int8 but .* uint8/));
  // a float16 scale
  await assert.rejects(run(unary({ xs: Tensor.fromNumeric('float16', [], [0.1]), xz: zp('uint8', 1), ys: f32(0.1), yz: zp('uint8', 0) })), where(ShapeError, /X_scale must be float32/));
  // a zero point the op requires, omitted
  await assert.rejects(run({
    op: 'QLinearGlobalAveragePool', inputs: { x: ints('uint8', [1, 2, 2, 2], 989) }, initializers: { s: f32(0.1), z: zp('uint8', 0) },
    inputOrder: ['x', 's', '', 's', 'z'], outputs: ['y'],
  }), where(ShapeError, /x_zero_point is omitted/));
  // QLinearAdd with operands of different types
  await assert.rejects(run({
    op: 'QLinearAdd', inputs: { a: x, b: ints('int8', [2, 3], 991) }, initializers: { s: f32(0.1) },
    inputOrder: ['a', 's', '', 'b', 's', '', 's'], outputs: ['c'],
  }), where(ShapeError, /B is int8 but A is uint8/));
  // QGemm: int8 A with uint8 B, and a b_scale of the wrong length
  const qgemm = (a: Tensor, b: Tensor, bs: Tensor) => ({
    op: 'QGemm', inputs: { a }, initializers: { b, s: f32(0.1), az: Tensor.scalar(a.dtype, 0), bs, bz: Tensor.scalar(b.dtype, 0) },
    inputOrder: ['a', 's', 'az', 'b', 'bs', 'bz'], outputs: ['y'],
  });
  await assert.rejects(run(qgemm(ints('int8', [2, 3], 992), ints('uint8', [3, 4], 993), f32(0.1))), where(UnsupportedError, /int8 B/));
  await assert.rejects(run(qgemm(x, ints('uint8', [3, 4], 994), Tensor.fromArray([3], [1, 2, 3]))), where(ShapeError, /b_scale .* 4 elements/));
  const noScale = qgemm(x, ints('uint8', [3, 4], 994), f32(0.1));
  await assert.rejects(run({ ...noScale, initializers: { ...noScale.initializers, yz: zp('uint8', 0) }, inputOrder: [...noScale.inputOrder, '', '', 'yz'] }), where(ShapeError, /without y_scale/));
  // QLinearConcat with an incomplete triple, and with a zero point of another type
  await assert.rejects(run({
    op: 'QLinearConcat', attrs: { axis: 0 }, inputs: { x }, initializers: { s: f32(0.1), z: zp('uint8', 0) }, inputOrder: ['s', 'z', 'x', 's', 'z', 'x'], outputs: ['y'],
  }), where(ShapeError, /triples; got 6 inputs/));
  await assert.rejects(run({
    op: 'QLinearConcat', attrs: { axis: 0 }, inputs: { x }, initializers: { s: f32(0.1), z: zp('uint8', 0), zi: Tensor.scalar('int8', 0) }, inputOrder: ['s', 'z', 'x', 's', 'zi'], outputs: ['y'],
  }), where(ShapeError, /zero point of tensor 0 .* int8/));
  // QLinearAveragePool over 4 spatial dims (onnxruntime pools 1 to 3)
  await assert.rejects(run({
    op: 'QLinearAveragePool', attrs: { kernel_shape: [1, 1, 1, 1] }, inputs: { x: ints('uint8', [1, 1, 2, 2, 2, 2], 995) }, initializers: { s: f32(0.1) },
    inputOrder: ['x', 's', '', 's'], outputs: ['y'],
  }), where(UnsupportedError, /1 to 3 spatial dims/));
  // com.microsoft QuantizeLinear with a zero point that is not 8-bit
  await assert.rejects(run({
    op: 'QuantizeLinear', inputs: { x: randomTensor([3], 996) }, initializers: { s: f32(0.1), z: Tensor.scalar('int32', 0) }, inputOrder: ['x', 's', 'z'], outputs: ['y'],
  }), where(UnsupportedError, /y_zero_point is int32 with no record of its ONNX type/));
  // FusedConv: an activation it does not fuse, and a wrong activation_params count; FusedGemm: an unknown activation
  const fusedConv = (attrs: Record<string, AttrSpec>) => ({
    op: 'FusedConv', attrs, inputs: { x: randomTensor([1, 1, 3, 3], 997) }, initializers: { w: randomTensor([1, 1, 2, 2], 998) }, inputOrder: ['x', 'w'], outputs: ['y'],
  });
  await assert.rejects(run(fusedConv({ activation: 'Gelu' })), where(UnsupportedError, /activation 'Gelu'/));
  await assert.rejects(run(fusedConv({ activation: 'Clip', activation_params: { floats: [0.5] } })), where(GraphError, /takes 2 activation_params, got 1/));
  await assert.rejects(run(fusedConv({ activation: 'Relu', dilations: [0, 1] })), where(ShapeError, /dilations/));
  await assert.rejects(run({
    op: 'FusedConv', attrs: { activation: 'Relu' }, inputs: { x: randomTensor([1, 1, 3, 3], 999), z: randomTensor([1, 1, 3, 3], 1000) },
    initializers: { w: randomTensor([1, 1, 2, 2], 1001) }, inputOrder: ['x', 'w', '', 'z'], outputs: ['y'],
  }), where(ShapeError, /Z of shape \[1,1,3,3\] must have Y's shape \[1,1,2,2\]/));
  await assert.rejects(run({
    op: 'FusedGemm', attrs: { activation: 'Swish' }, inputs: { a: randomTensor([2, 2], 1002) }, initializers: { b: randomTensor([2, 2], 1003) }, inputOrder: ['a', 'b'], outputs: ['y'],
  }), where(UnsupportedError, /FusedGemm activation 'Swish'/));
  await assert.rejects(run({
    op: 'FusedMatMul', attrs: { transBatchA: 1 }, inputs: { a: randomTensor([3, 2, 4], 1004), b: randomTensor([3, 4, 5], 1005) }, inputOrder: ['a', 'b'], outputs: ['y'],
  }), where(ShapeError, /./));
});

test('a model of these ops runs on a WebGPU session (they fall back to the CPU) and matches onnxruntime', { skip: webgpuSkip() ?? false }, async () => {
  const node = (op: string, inputs: string[], output: string, domain = MS, attrs: Record<string, AttrSpec> = {}) =>
    ({ name: output, opType: op, domain, input: inputs, output: [output], attribute: Object.entries(attrs).map(([k, v]) => attrProto(k, v)) });
  const initializers = {
    s1: f32(0.02), z1: zp('uint8', 128), b: ints('uint8', [1, 3, 1, 1], 1200), sb: f32(0.03), zb: zp('uint8', 120),
    s2: f32(0.04), z2: zp('uint8', 125), s3: f32(0.01), z3: zp('uint8', 128), w: randomTensor([3, 4], 1201), c: randomTensor([4], 1202),
  };
  const model = new Uint8Array(ModelProto.encode(ModelProto.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 18 }, { domain: MS, version: 1 }],
    graph: {
      name: 'g',
      node: [
        node('QuantizeLinear', ['x', 's1', 'z1'], 'q'),
        node('QLinearAdd', ['q', 's1', 'z1', 'b', 'sb', 'zb', 's2', 'z2'], 'a'),
        node('QLinearGlobalAveragePool', ['a', 's2', 'z2', 's3', 'z3'], 'g'),
        node('DequantizeLinear', ['g', 's3', 'z3'], 'd'),
        node('Flatten', ['d'], 'f', ''),
        node('FusedGemm', ['f', 'w', 'c'], 'y', MS, { activation: 'LeakyRelu', activation_alpha: { float: 0.1 } }),
      ],
      input: [{ name: 'x', type: { tensorType: { elemType: ONNX_DTYPE.FLOAT, shape: { dim: [1, 3, 6, 6].map((d) => ({ dimValue: d })) } } } }],
      initializer: Object.entries(initializers).map(([k, t]) => tensorProto(k, t)),
      output: [{ name: 'y' }],
    },
  })).finish());
  const x = randomTensor([1, 3, 6, 6], 1203, -2, 2);
  const want = (await runOrt(model, { x })).y!;
  const session = await createSession(importOnnx(model).graph, { device: 'webgpu' });
  try {
    const got = (await session.run({ x })).y!;
    const c = compareTensors(got, want, FLOAT_TOL);
    assert.ok(c.pass, `WebGPU session: ${c.reason ?? JSON.stringify(c)}`);
    const fallbacks = session.stats().webgpu!.fallbacks.map((f) => f.op);
    assert.deepEqual(fallbacks, ['QuantizeLinear', 'QLinearAdd', 'QLinearGlobalAveragePool', 'DequantizeLinear', 'FusedGemm'], 'the com.microsoft ops ran on the CPU, Flatten on the GPU');
  } finally {
    session.dispose();
  }
});
