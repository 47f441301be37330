// How far two correct int8 runtimes drift apart with depth, on the CPU machine (lavapipe for
// nnrt): the BERT-tiny fixture's second encoder layer repeated to DEPTH layers (shared weights),
// quantized as quantize_static does (bench/quantize-static.ts, onnxruntime-calibrated), then run
// by onnxruntime with graph optimizations off (the ONNX semantics: DQ, float op, Q), onnxruntime's
// default session (Q/DQ fused into integer kernels, float ops into its own), nnrt's engine, and
// onnxruntime on the float model. Prints, per pair, the share of output elements within one step
// (the fused output's range / 255, as bench/gpu-models/int8_models.py takes it for BERT-base):
// a value that lands within float rounding of a QuantizeLinear boundary rounds one way in one
// runtime and the other way in another, and each such step travels on through the layers.
//
//   XDG_RUNTIME_DIR=/tmp npx tsx bench/int8-depth-agreement.ts [DEPTH ...]   (default 2 6 12 24)
import ort from 'onnxruntime-node';
import { loadOnnxFile } from '../src/node/files.js';
import { importOnnx } from '../src/onnx/import/model.js';
import { exportOnnx } from '../src/onnx/export/model.js';
import { createSession } from '../src/runtime/session.js';
import { Tensor } from '../src/tensor/tensor.js';
import type { Graph } from '../src/ir/graph.js';
import '../src/node/webgpu.js';
import '../src/ops/index.js';
import { calibrateMinMax, insertQdq, matmulActivations } from './quantize-static.js';

const LAYER = '/m/encoder/layer.1/';
const LAYER0_OUT = '/m/encoder/layer.0/output/LayerNorm/LayerNormalization_output_0';
const OUT = 'last_hidden_state';

/** The fixture with its second layer repeated so the encoder has `depth` layers. */
function deepened(depth: number): Graph {
  const { graph } = loadOnnxFile('test/fixtures/transformers/bert_tiny/model.onnx');
  const layer = graph.nodes.filter((n) => n.name.startsWith(LAYER));
  const written = new Set(layer.flatMap((n) => n.outputs));
  const nodes = graph.nodes.filter((n) => !n.name.startsWith(LAYER));
  let prev = LAYER0_OUT;
  for (let j = 0; j < depth - 1; j++) {
    const last = j === depth - 2;
    const from = prev;
    const name = (t: string) => (written.has(t) ? (t === OUT && last ? t : `${t}#${j}`) : t === LAYER0_OUT ? from : t);
    for (const n of layer) nodes.push({ ...n, name: `${n.name}#${j}`, inputs: n.inputs.map(name), outputs: n.outputs.map(name) });
    prev = name(OUT);
  }
  graph.nodes = nodes;
  graph.valueInfo.clear();
  return graph;
}

const SHAPE = [1, 16];
function feedsFrom(seed: number): () => Record<string, Tensor> {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return () => ({
    input_ids: new Tensor('int64', SHAPE, BigInt64Array.from({ length: 16 }, () => BigInt(Math.floor(next() * 1000)))),
    attention_mask: new Tensor('int64', SHAPE, BigInt64Array.from({ length: 16 }, () => 1n)),
    token_type_ids: new Tensor('int64', SHAPE, new BigInt64Array(16)),
  });
}
const toOrt = (f: Record<string, Tensor>) => Object.fromEntries(Object.entries(f).map(([k, t]) => [k, new ort.Tensor('int64', t.data as BigInt64Array, [...t.shape])]));

async function agreement(depth: number): Promise<Record<string, number>> {
  const graph = deepened(depth);
  const feeds = feedsFrom(5);
  const ranges = await calibrateMinMax(graph, matmulActivations(graph), Array.from({ length: 6 }, () => toOrt(feeds())));
  const float = exportOnnx(graph, { opset: 17 });
  insertQdq(graph, ranges);
  const quantized = exportOnnx(graph, { opset: 17 });
  const semantics = await ort.InferenceSession.create(quantized, { graphOptimizationLevel: 'disabled' });
  const fused = await ort.InferenceSession.create(quantized);
  const fp32 = await ort.InferenceSession.create(float);
  const nnrt = await createSession(importOnnx(quantized).graph, { device: 'webgpu', engine: 'webgpu', timeTactics: false });
  const sums: Record<string, number> = {};
  const SETS = 4;
  for (let k = 0; k < SETS; k++) {
    const f = feeds();
    const sem = (await semantics.run(toOrt(f)))[OUT]!.data as Float32Array;
    const fus = (await fused.run(toOrt(f)))[OUT]!.data as Float32Array;
    const flt = (await fp32.run(toOrt(f)))[OUT]!.data as Float32Array;
    const got = (await nnrt.run(f))[OUT]!.data as Float32Array;
    const step = (Math.max(...fus) - Math.min(...fus)) / 255;
    const within = (x: Float32Array, y: Float32Array) => x.filter((v, i) => Math.abs(v - y[i]!) <= step * 1.001 + 1e-5).length / x.length / SETS;
    const pairs = { 'nnrt ~ ort fused': within(got, fus), 'nnrt ~ ort semantics': within(got, sem), 'ort fused ~ ort semantics': within(fus, sem), 'ort semantics ~ fp32': within(sem, flt) };
    for (const [p, v] of Object.entries(pairs)) sums[p] = (sums[p] ?? 0) + v;
  }
  nnrt.dispose();
  await Promise.all([semantics.release(), fused.release(), fp32.release()]);
  return sums;
}

const depths = process.argv.slice(2).map(Number);
console.log('| layers | ' + ['nnrt ~ ort fused', 'nnrt ~ ort semantics', 'ort fused ~ ort semantics', 'ort semantics ~ fp32'].join(' | ') + ' |');
console.log('| ---: | ---: | ---: | ---: | ---: |');
for (const d of depths.length ? depths : [2, 6, 12, 24]) {
  const r = await agreement(d);
  console.log(`| ${d} | ${Object.values(r).map((v) => `${(100 * v).toFixed(1)}%`).join(' | ')} |`);
}
process.exit(0);
