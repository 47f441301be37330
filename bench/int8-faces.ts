// int8 on trained networks with real(istic) data: insightface's gender-age model and the MTCNN
// P/R/O-Nets (../shared/fixtures/mxnet/deepinsight__insightface), calibrated (entropy, minmax) on
// face-like crops of the test photographs (bench/face-crops.ts says what they contain), built as
// int8 engines on the WebGPU adapter (lavapipe here) and compared with onnxruntime fp32 on the
// ONNX nnrt exports from the MXNet checkpoints, on crops the calibration never saw:
//   gender-age: fc1[0:2] argmax (gender); age = Σ over the 100 pairs fc1[2+2i:4+2i] of their argmax
//     (insightface gender-age/face_model.py get_ga); input RGB 0–255, 112×112 (the model normalises);
//   P-Net (12×12), R-Net (24×24), O-Net (48×48): class = argmax prob1; box regression agrees when
//     every offset is within BOX_TOL of fp32 (offsets are fractions of the box side); O-Net's
//     landmarks likewise. Input BGR, (v − 127.5)·0.0078125 (mtcnn_detector.py adjust_input).
// The fp32 engine is run too (nnrt fp32 vs onnxruntime, a sanity row). Usage:
//   XDG_RUNTIME_DIR=/tmp/xdg-$USER npx tsx bench/int8-faces.ts [--calib 60] [--faces 200] [--others 120]
//       [--models ga,pnet,rnet,onet] [--algos entropy,minmax] [--layer-precision name=fp32,...]
//       [--equalize] [--eval-seed 100000] [--no-fp32]
// --equalize calibrates the cross-layer-equalized network (nnrt calibrate --equalize), so the int8
// builds equalize too; --eval-seed picks another evaluation set (seeds from there).
import * as ort from 'onnxruntime-node';
import { parseArgs } from 'node:util';
import { sharedGpuDevice } from '../src/devices/webgpu/device.js';
import { defaultGpu } from '../src/devices/webgpu/provider.js';
import '../src/node/webgpu.js';
import { buildEnginePlan } from '../src/engine/builder.js';
import { Engine } from '../src/engine/runtime.js';
import type { Graph } from '../src/ir/graph.js';
import { loadMxnetCheckpoint } from '../src/node/mxnet-files.js';
import { exportOnnx } from '../src/onnx/export/model.js';
import '../src/ops/index.js';
import { calibrateGraph } from '../src/runtime/calibrate.js';
import type { CalibrationAlgo } from '../src/engine/calibrate/cache-file.js';
import { Tensor } from '../src/tensor/tensor.js';
import { faceCrop, otherCrop, planar } from './face-crops.js';

const FIXTURES = new URL('../../shared/fixtures/mxnet/deepinsight__insightface/', import.meta.url).pathname;
/** Box regression and landmark offsets agree when within this of fp32 (fractions of the box side): 2 % and 5 %. */
export const BOX_TOL = [0.02, 0.05] as const;
/** Seeds: calibration crops from 0, evaluation crops from here (disjoint sets). */
const EVAL_SEED = 100_000;

export interface FaceModel {
  key: string;
  prefix: string;
  size: number;
  /** Face crops only (gender-age) or faces and other crops (detectors). */
  others: boolean;
  input: (crop: Uint8Array) => Float32Array;
}

export const FACE_MODELS: readonly FaceModel[] = [
  { key: 'ga', prefix: 'gender-age-model/model', size: 112, others: false, input: (c) => planar(c, 112, 'rgb', (v) => v) },
  ...([['pnet', 'det1', 12], ['rnet', 'det2', 24], ['onet', 'det3', 48]] as const).map(([key, det, size]) => ({
    key, prefix: `mtcnn-model/${det}`, size, others: true, input: (c: Uint8Array) => planar(c, size, 'bgr', (v) => (v - 127.5) * 0.0078125),
  })),
];

export function loadFaceModel(m: FaceModel): { graph: Graph; onnx: Uint8Array } {
  const { graph } = loadMxnetCheckpoint(`${FIXTURES}${m.prefix}-symbol.json`, { inputShapes: { data: [1, 3, m.size, m.size] } });
  return { graph, onnx: exportOnnx(graph, { opset: 13 }) };
}

/** The inputs of one set: `faces` face crops then `others` other crops, from `seed0`. */
export function cropInputs(m: FaceModel, seed0: number, faces: number, others: number): Tensor<'float32'>[] {
  const crops = [
    ...Array.from({ length: faces }, (_, i) => faceCrop(seed0 + i, m.size)),
    ...Array.from({ length: m.others ? others : 0 }, (_, i) => otherCrop(seed0 + i, m.size)),
  ];
  return crops.map((c) => new Tensor('float32', [1, 3, m.size, m.size], m.input(c)));
}

type Outputs = Record<string, Float32Array>;
const argmax = (v: ArrayLike<number>, from = 0, n = v.length - from) => {
  let best = from;
  for (let i = from + 1; i < from + n; i++) if (v[i]! > v[best]!) best = i;
  return best - from;
};

/** Gender and age as face_model.py's get_ga computes them from fc1. */
export function genderAge(fc1: Float32Array): { gender: number; age: number } {
  let age = 0;
  for (let i = 0; i < 100; i++) age += argmax(fc1, 2 + 2 * i, 2);
  return { gender: argmax(fc1, 0, 2), age };
}

export interface Agreement {
  /** Measure → [agreeing, total] or a mean. */
  counts: Record<string, [number, number]>;
  means: Record<string, number>;
}

/** How often `got` agrees with `want` (per input) on the model's decisions. */
export function agreement(m: FaceModel, want: Outputs[], got: Outputs[]): Agreement {
  const counts: Record<string, [number, number]> = {};
  const means: Record<string, number> = {};
  const tally = (k: string, ok: boolean) => {
    const c = (counts[k] ??= [0, 0]);
    c[0] += ok ? 1 : 0;
    c[1]++;
  };
  const within = (a: Float32Array, b: Float32Array, tol: number) => a.every((v, i) => Math.abs(v - b[i]!) <= tol);
  let ageErr = 0;
  for (let i = 0; i < want.length; i++) {
    const [w, g] = [want[i]!, got[i]!];
    if (m.key === 'ga') {
      const [a, b] = [genderAge(w.fc1_output!), genderAge(g.fc1_output!)];
      tally('gender', a.gender === b.gender);
      tally('age exact', a.age === b.age);
      tally('age ±1', Math.abs(a.age - b.age) <= 1);
      ageErr += Math.abs(a.age - b.age);
      continue;
    }
    tally('class', argmax(w.prob1_output!) === argmax(g.prob1_output!));
    const box = Object.keys(w).find((k) => k !== 'prob1_output' && w[k]!.length === 4)!;
    for (const tol of BOX_TOL) tally(`box ±${tol}`, within(w[box]!, g[box]!, tol));
    if (w.conv6_3_output) for (const tol of BOX_TOL) tally(`landmarks ±${tol}`, within(w.conv6_3_output, g.conv6_3_output!, tol));
  }
  if (m.key === 'ga') means['mean abs Δage'] = ageErr / want.length;
  return { counts, means };
}

export async function runOrtAll(onnx: Uint8Array, inputs: Tensor<'float32'>[]): Promise<Outputs[]> {
  const sess = await ort.InferenceSession.create(onnx);
  const out: Outputs[] = [];
  for (const x of inputs) {
    const r = await sess.run({ data: new ort.Tensor('float32', x.data, [...x.shape]) });
    out.push(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Float32Array.from(v.data as Float32Array)])));
  }
  await sess.release();
  return out;
}

type Gpu = Awaited<ReturnType<typeof sharedGpuDevice>>;

/** Builds an engine (fp32, or int8 with a calibration of `algo` over `calib`) and runs every input. */
export async function runEngine(gpu: Gpu, graph: Graph, size: number, inputs: Tensor<'float32'>[], int8?: { algo: CalibrationAlgo; calib: Tensor<'float32'>[]; layerPrecision?: Record<string, 'fp32'>; equalize?: boolean }): Promise<{ outputs: Outputs[]; int8Layers: number; layers: number }> {
  const calibration = int8 ? await calibrateGraph(graph, { count: int8.calib.length, get: (i) => ({ data: int8.calib[i]! }) }, { algo: int8.algo, device: 'cpu', ...(int8.equalize ? { equalize: true } : {}) }) : undefined;
  const plan = await buildEnginePlan(gpu, graph, { data: [1, 3, size, size] }, {
    timeTactics: false, precision: int8 ? 'int8' : 'fp32', ...(calibration ? { calibration } : {}), ...(int8?.layerPrecision ? { layerPrecision: int8.layerPrecision } : {}),
  });
  const engine = await Engine.load(gpu, plan);
  const context = await engine.createExecutionContext();
  const outputs: Outputs[] = [];
  try {
    for (const x of inputs) {
      const r = await context.run({ data: x });
      outputs.push(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Float32Array.from(v.data as Float32Array)])));
    }
  } finally {
    context.dispose();
    engine.dispose();
  }
  return { outputs, int8Layers: plan.layers.filter((l) => l.kind === 'qlinear').length, layers: plan.layers.length };
}

const pct = ([a, n]: [number, number]) => `${((100 * a) / n).toFixed(1)}% (${a}/${n})`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calib: { type: 'string', default: '60' }, faces: { type: 'string', default: '200' }, others: { type: 'string', default: '120' },
      models: { type: 'string', default: 'ga,pnet,rnet,onet' }, algos: { type: 'string', default: 'entropy,minmax' },
      'layer-precision': { type: 'string', default: '' }, equalize: { type: 'boolean', default: false },
      'eval-seed': { type: 'string', default: String(EVAL_SEED) }, 'no-fp32': { type: 'boolean', default: false },
    },
  });
  const [calibN, faces, others] = [Number(values.calib), Number(values.faces), Number(values.others)];
  const pins = Object.fromEntries(values['layer-precision'].split(',').filter(Boolean).map((p) => [p.split('=')[0]!, 'fp32' as const]));
  const gpu = await sharedGpuDevice(await defaultGpu());
  const evalSeed = Number(values['eval-seed']);
  console.log(`calibration: ${calibN} face crops (+ ${calibN} other crops for the detectors), seeds 0..; evaluation: ${faces} face crops (+ ${others} other crops), seeds ${evalSeed}..; box tolerances ${BOX_TOL.join(', ')}`);
  console.log('| model | build | int8 layers | agreement with onnxruntime fp32 |');
  console.log('| --- | --- | --- | --- |');
  for (const key of values.models.split(',')) {
    const m = FACE_MODELS.find((f) => f.key === key);
    if (!m) throw new Error(`unknown model ${key} (${FACE_MODELS.map((f) => f.key).join(', ')})`);
    const { graph, onnx } = loadFaceModel(m);
    const evalSet = cropInputs(m, evalSeed, faces, others);
    const calib = cropInputs(m, 0, calibN, calibN);
    const want = await runOrtAll(onnx, evalSet);
    const row = (build: string, int8Layers: string, a: Agreement) => console.log(`| ${m.key} | ${build} | ${int8Layers} | ${[
      ...Object.entries(a.counts).map(([k, c]) => `${k} ${pct(c)}`), ...Object.entries(a.means).map(([k, v]) => `${k} ${v.toFixed(2)}`),
    ].join('; ')} |`);
    if (!values['no-fp32']) {
      const fp32 = await runEngine(gpu, graph, m.size, evalSet);
      row('nnrt fp32 engine', `0 of ${fp32.layers}`, agreement(m, want, fp32.outputs));
    }
    for (const algo of values.algos.split(',') as CalibrationAlgo[]) {
      const r = await runEngine(gpu, graph, m.size, evalSet, { algo, calib, equalize: values.equalize, ...(Object.keys(pins).length ? { layerPrecision: pins } : {}) });
      row(`int8 ${algo}${values.equalize ? ' equalized' : ''}${Object.keys(pins).length ? ` (${Object.keys(pins).join(',')} fp32)` : ''}`, `${r.int8Layers} of ${r.layers}`, agreement(m, want, r.outputs));
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
