// Cross-layer equalization (src/engine/passes/equalize.ts): the equalized float network computes
// what onnxruntime computes on the original model (a conv → PRelu → depthwise → Relu → conv chain
// whose channels differ 100× in scale, and the trained gender-age model on one face crop); after the
// pass every pair's per-channel weight ranges are equal (or, with measured activation ranges, each
// equalized tensor's channel ranges equal the weights reading them); only calibrations made with --equalize
// turn it on; and on the chain the equalized int8 network is closer to onnxruntime fp32 than the
// plain int8 one (whose Relu output is quantized unsigned).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/ops/index.js';
import { BASELINE_CAPS } from '../../src/devices/webgpu/caps.js';
import { buildNetwork } from '../../src/engine/builder.js';
import { formatCalibrationCache, isEqualizedCache, parseCalibrationCache } from '../../src/engine/calibrate/cache-file.js';
import { CalibrationError } from '../../src/errors.js';
import { createSession } from '../../src/runtime/session.js';
import { checkBuilderConfig } from '../../src/engine/config.js';
import { EQUALIZE_STAGES, equalizedGraph } from '../../src/engine/equalized-graph.js';
import { importNetwork } from '../../src/engine/import.js';
import { lowerNetwork } from '../../src/engine/lower.js';
import { equalizePairs, inputRanges, outputRanges } from '../../src/engine/passes/equalize.js';
import { runPipeline } from '../../src/engine/passes/pipeline.js';
import type { Graph } from '../../src/ir/graph.js';
import { exportOnnx } from '../../src/onnx/export/model.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { calibrateGraph, calibrationFor } from '../../src/runtime/calibrate.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { patternModel, type PatternSpec } from '../helpers/engine-pattern.js';
import { randomTensor, runOrt, tensorProto } from '../helpers/ort-reference.js';
import { TensorProto } from '../../src/onnx/proto.js';
import { FACE_MODELS, cropInputs, loadFaceModel } from '../../bench/int8-faces.js';

/** Weights [O, ...rest] whose output channel o is scaled by 10^(2·o/(O−1) − 1): 0.1× … 10×. */
function spreadWeights(shape: number[], seed: number): Tensor<'float32'> {
  const t = randomTensor(shape, seed, -0.5, 0.5);
  const block = t.size / shape[0]!;
  const data = t.data.map((v, i) => v * 10 ** ((2 * Math.floor(i / block)) / (shape[0]! - 1) - 1));
  return new Tensor('float32', shape, data);
}

const SHAPES = { x: [1, 4, 10, 10] };

/** x → Conv 4→8 (3×3) → PRelu (per-channel slopes) → depthwise 3×3 → Relu → Conv 1×1 8→6 → y. */
function chainSpec(op: 'PRelu' | 'Sigmoid' = 'PRelu'): PatternSpec {
  return {
    nodes: [
      { op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      op === 'PRelu' ? { op: 'PRelu', inputs: ['c1', 'slope'], outputs: ['a1'] } : { op, inputs: ['c1'], outputs: ['a1'] },
      { op: 'Conv', inputs: ['a1', 'w2', 'b2'], outputs: ['c2'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: 8 } },
      { op: 'Relu', inputs: ['c2'], outputs: ['a2'] },
      { op: 'Conv', inputs: ['a2', 'w3', 'b3'], outputs: ['y'], attrs: { kernel_shape: [1, 1] } },
    ],
    inputs: { x: randomTensor(SHAPES.x, 7, -1, 1) },
    initializers: {
      w1: spreadWeights([8, 4, 3, 3], 1), b1: randomTensor([8], 2, -0.2, 0.2), slope: randomTensor([8, 1, 1], 3, 0.05, 0.3),
      w2: randomTensor([8, 1, 3, 3], 4, -0.5, 0.5), b2: randomTensor([8], 5, -0.2, 0.2),
      w3: randomTensor([6, 8, 1, 1], 6, -0.5, 0.5), b3: randomTensor([6], 8, -0.1, 0.1),
    },
    outputs: ['y'],
  };
}

async function ortOn(graph: Graph, inputs: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  return runOrt(exportOnnx(graph, { opset: 18 }), inputs);
}

function assertClose(got: Tensor, want: Tensor, what: string): void {
  const c = compareTensors(got, want, FP32_TOLERANCE);
  assert.ok(c.pass, `${what}: ${JSON.stringify(c)}`);
}

test('the equalized conv → PRelu → depthwise → Relu → conv chain computes what onnxruntime computes on the original', async () => {
  const spec = chainSpec();
  const model = patternModel(spec);
  const want = await runOrt(model, spec.inputs);
  const log: string[] = [];
  const equalized = equalizedGraph(importOnnx(model).graph, SHAPES, { log: (l) => log.push(l) });
  assert.ok(log.some((l) => l.includes('2 pairs equalized')), log.join('\n'));
  assertClose((await ortOn(equalized, spec.inputs)).y!, want.y!, 'equalized chain vs onnxruntime');
});

test('after the pass, each pair has equal per-channel weight ranges (they differed 100× before)', () => {
  const net = importNetwork(importOnnx(patternModel(chainSpec())).graph, SHAPES);
  const folded = runPipeline(net, { precision: 'fp32', stages: EQUALIZE_STAGES });
  const before = equalizePairs(folded.network);
  assert.equal(before.length, 2, 'conv → PRelu → depthwise and depthwise → Relu → conv');
  const a0 = outputRanges(before[0]!.a);
  assert.ok(Math.max(...a0) / Math.min(...a0) > 20, `the first conv's channel ranges spread: ${[...a0]}`);
  const { network } = runPipeline(net, { precision: 'fp32', equalize: true, stages: EQUALIZE_STAGES });
  const pairs = equalizePairs(network);
  assert.deepEqual(pairs.map((p) => [p.a.name, p.via?.name, p.b.name]), before.map((p) => [p.a.name, p.via?.name, p.b.name]));
  for (const p of pairs) {
    const [ra, rb] = [outputRanges(p.a), inputRanges(p.b)];
    ra.forEach((r, k) => assert.ok(Math.abs(r - rb[k]!) <= 1e-3 * r, `${p.a.name} → ${p.b.name} channel ${k}: ${r} vs ${rb[k]}`));
  }
  const r1 = outputRanges(pairs[0]!.a);
  assert.ok(Math.max(...r1) / Math.min(...r1) < Math.max(...a0) / Math.min(...a0) / 3, 'the spread shrank');
});

test('no pair across an activation that is not positively homogeneous (Sigmoid), and no equalization without --equalize', () => {
  const sig = importNetwork(importOnnx(patternModel(chainSpec('Sigmoid'))).graph, SHAPES);
  const { network } = runPipeline(sig, { precision: 'fp32', stages: EQUALIZE_STAGES });
  assert.deepEqual(equalizePairs(network).map((p) => p.a.name), ['Conv_2'], 'only depthwise → Relu → conv');
  const plain = runPipeline(importNetwork(importOnnx(patternModel(chainSpec())).graph, SHAPES), { precision: 'fp32', stages: EQUALIZE_STAGES });
  assert.deepEqual(plain.passes.find((p) => p.pass === 'equalize')!.changes, []);
});

test('an --equalize calibration marks its cache, and an int8 build with it equalizes and beats the plain int8 build', async () => {
  const spec = chainSpec();
  const model = patternModel(spec);
  const { graph } = importOnnx(model);
  const calib = { count: 8, get: (i: number) => ({ x: randomTensor(SHAPES.x, 100 + i, -1, 1) }) };
  const plainCache = await calibrateGraph(graph, calib, { algo: 'minmax', device: 'cpu' });
  const eqCache = await calibrateGraph(graph, calib, { algo: 'minmax', device: 'cpu', equalize: true });
  assert.ok(!isEqualizedCache(plainCache.header) && isEqualizedCache(eqCache.header), `${plainCache.header} / ${eqCache.header}`);
  const read = calibrationFor(graph, formatCalibrationCache(eqCache), 'eq.calib');
  assert.deepEqual([...read.scales.keys()].sort(), [...eqCache.scales.keys()].sort(), 'the written cache reads back and fits the equalized network');
  const errors: number[] = [];
  for (const cache of [plainCache, eqCache]) {
    const log: string[] = [];
    const cfg = checkBuilderConfig({ precision: 'int8', calibration: cache, log: (l) => log.push(l) });
    assert.equal(!!cfg.equalize, isEqualizedCache(cache.header));
    const net = buildNetwork(graph, SHAPES, cfg, { ...BASELINE_CAPS, packedDot4I8: true });
    assert.equal(log.some((l) => l.startsWith('[equalize]')), !!cfg.equalize, log.join('\n'));
    const int8 = net.layers.filter((l) => l.kind === 'qlinear');
    assert.equal(int8.length, 3, 'all three convolutions int8');
    // the last conv reads a Relu output: uint8 over [0, amax] (half the step of symmetric int8)
    assert.deepEqual(int8.map((l) => l.x.signed), [true, true, false]);
    assert.equal(int8[2]!.x.scale, Math.fround((cache.scales.get(int8[2]!.input.replace(/\/int8(_\d+)?$/, ''))! * 127) / 255));
    let [num, den] = [0, 0];
    for (let s = 0; s < 4; s++) {
      const inputs = { x: randomTensor(SHAPES.x, 200 + s, -1, 1) };
      const [want, got] = [(await runOrt(model, inputs)).y!, (await ortOn(lowerNetwork(net), inputs)).y!];
      (got.data as Float32Array).forEach((v, i) => {
        num += (v - (want.data as Float32Array)[i]!) ** 2;
        den += (want.data as Float32Array)[i]! ** 2;
      });
    }
    errors.push(Math.sqrt(num / den));
  }
  assert.ok(errors[1]! < errors[0]!, `relative L2 error vs fp32: plain int8 ${errors[0]}, equalized int8 ${errors[1]}`);
});

test('with measured ranges, each equalized tensor channel has the range of the weights reading it; #channels lines round-trip', async () => {
  const { graph } = importOnnx(patternModel(chainSpec()));
  const calib = { count: 6, get: (i: number) => ({ x: randomTensor(SHAPES.x, 300 + i, -1, 1) }) };
  const cache = await calibrateGraph(graph, calib, { algo: 'minmax', device: 'cpu', equalize: true });
  assert.deepEqual([...cache.channelRanges!.keys()].sort(), ['a1', 'a2'], 'the PRelu and Relu outputs between the convs');
  const back = parseCalibrationCache(formatCalibrationCache(cache));
  assert.deepEqual(back.channelRanges, cache.channelRanges);
  assert.throws(() => parseCalibrationCache(formatCalibrationCache(cache).replace(/#channels a1: \w+/, '#channels a1: xyz')), CalibrationError);
  const log: string[] = [];
  const { network } = runPipeline(importNetwork(graph, SHAPES), { precision: 'fp32', equalize: true, channelRanges: cache.channelRanges!, stages: EQUALIZE_STAGES, log: (l) => log.push(l) });
  assert.ok(log.some((l) => l.includes('by measured activation ranges')), log.join('\n'));
  // the same batches through the equalized network: channel k of the tensor B reads spans √(x_k · r_b,k)
  const lowered = lowerNetwork(network);
  lowered.outputs.push({ name: 'a1' }, { name: 'a2' });
  const session = await createSession(lowered, { device: 'cpu' });
  const after = new Map<string, Float64Array>([['a1', new Float64Array(8)], ['a2', new Float64Array(8)]]);
  for (let b = 0; b < calib.count; b++) {
    const out = await session.run(calib.get(b));
    for (const [name, r] of after) (out[name]!.data as Float32Array).forEach((v, i) => (r[Math.floor(i / 100)] = Math.max(r[Math.floor(i / 100)]!, Math.abs(v))));
  }
  session.dispose();
  for (const p of equalizePairs(network)) {
    const [x, rb] = [after.get(p.b.input)!, inputRanges(p.b)];
    x.forEach((v, k) => assert.ok(Math.abs(v - rb[k]!) <= 2e-3 * Math.max(v, rb[k]!), `${p.b.input} channel ${k}: activation ${v} vs weights ${rb[k]}`));
  }
  const wrong = new Map([['a1', new Float32Array(3)]]);
  assert.throws(() => runPipeline(importNetwork(graph, SHAPES), { precision: 'fp32', equalize: true, channelRanges: wrong, stages: EQUALIZE_STAGES }), /has 3 ranges; Conv_0 writes 8 channels/);
});

test('nnrt calibrate --equalize writes an equalized cache with #channels lines, and --check fits it to the model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnrt-equalize-'));
  try {
    const spec = chainSpec();
    const model = join(dir, 'chain.onnx');
    writeFileSync(model, patternModel(spec));
    for (let b = 0; b < 3; b++) {
      mkdirSync(join(dir, `data/test_data_set_${b}`), { recursive: true });
      writeFileSync(join(dir, `data/test_data_set_${b}/input_0.pb`), TensorProto.encode(TensorProto.fromObject(tensorProto('x', randomTensor(SHAPES.x, 400 + b, -1, 1)))).finish());
    }
    const root = new URL('../../', import.meta.url).pathname;
    const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });
    const cache = join(dir, 'chain.calib');
    const made = cli(['calibrate', model, '--data', join(dir, 'data'), '--algo', 'minmax', '--equalize', '--out', cache]);
    assert.equal(made.status, 0, made.stderr);
    assert.match(made.stdout, /of the equalized network over 3 batch/);
    const text = readFileSync(cache, 'utf8');
    assert.match(text, /^TRT-NNRT\d+-MinMaxCalibration\.equalized\n/);
    assert.deepEqual(text.split('\n').filter((l) => l.startsWith('#channels ')).map((l) => l.split(':')[0]), ['#channels a1', '#channels a2']);
    const checked = cli(['calibrate', model, '--check', cache]);
    assert.equal(checked.status, 0, checked.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the equalized gender-age model computes what onnxruntime computes on the original (one face crop)', async () => {
  const m = FACE_MODELS.find((f) => f.key === 'ga')!;
  const { graph, onnx } = loadFaceModel(m);
  const inputs = { data: cropInputs(m, 100_000, 1, 0)[0]! };
  const log: string[] = [];
  const equalized = equalizedGraph(graph, { data: [1, 3, m.size, m.size] }, { log: (l) => log.push(l) });
  assert.ok(log.some((l) => l.includes('26 pairs equalized')), log.filter((l) => l.includes('pairs')).join('\n'));
  assertClose((await ortOn(equalized, inputs)).fc1_output!, (await runOrt(onnx, inputs)).fc1_output!, 'equalized gender-age fc1');
});
