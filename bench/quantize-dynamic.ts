// Rewrites an ONNX model the way onnxruntime's quantize_dynamic does (default settings): every
// MatMul by a constant 2-D float weight becomes
//   DynamicQuantizeLinear(A) → MatMulInteger(A_q, W_q, A_zp, W_zp) → Cast(float) → Mul(·, A_s·W_s)
// with W quantized to int8, symmetric and per tensor (W_s = max|W|/127, W_zp = 0), A to uint8 at
// run time. It writes OUT/model.onnx and OUT/test_data_set_0 (the source model's first test inputs,
// and onnxruntime's outputs of the quantized model), so `nnrt verify OUT/model.onnx --engine
// webgpu` shows which nodes the engine takes and that its results match onnxruntime's:
//   npx tsx bench/quantize-dynamic.ts test/fixtures/transformers/bert_tiny /tmp/bert_tiny_dynq
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { importOnnx } from '../src/onnx/import/model.js';
import { exportOnnx } from '../src/onnx/export/model.js';
import { encodeTensorProto } from '../src/onnx/tensor-write.js';
import { readTensorPb } from '../src/node/files.js';
import type { Graph } from '../src/ir/graph.js';
import { Tensor } from '../src/tensor/tensor.js';
import '../src/ops/index.js';

/** Rewrites `graph` in place; returns how many MatMuls were quantized. */
export function quantizeDynamic(graph: Graph): number {
  let done = 0;
  const nodes = [];
  for (const n of graph.nodes) {
    const w = n.opType === 'MatMul' && n.domain === '' ? graph.initializers.get(n.inputs[1] ?? '') : undefined;
    if (!w || w.dtype !== 'float32' || w.shape.length !== 2) {
      nodes.push(n);
      continue;
    }
    const p = `${n.outputs[0]}_dynq`;
    const data = w.data as Float32Array;
    const scale = Math.fround(data.reduce((m, v) => Math.max(m, Math.abs(v)), 0) / 127) || 1;
    graph.initializers.set(`${p}_W_q`, new Tensor('int8', [...w.shape], Int8Array.from(data, (v) => Math.max(-127, Math.min(127, Math.round(v / scale))))));
    graph.initializers.set(`${p}_W_s`, Tensor.fromArray([], [scale]));
    graph.initializers.set(`${p}_W_zp`, new Tensor('int8', [], Int8Array.of(0)));
    let k = 0;
    const node = (opType: string, inputs: string[], outputs: string[], attrs = {}) => ({ name: `${p}_${opType}_${k++}`, opType, domain: '', inputs, outputs, attrs });
    nodes.push(
      node('DynamicQuantizeLinear', [n.inputs[0]!], [`${p}_A_q`, `${p}_A_s`, `${p}_A_zp`]),
      node('MatMulInteger', [`${p}_A_q`, `${p}_W_q`, `${p}_A_zp`, `${p}_W_zp`], [`${p}_i32`]),
      node('Cast', [`${p}_i32`], [`${p}_f`], { to: { type: 'int', value: 1 } }),
      node('Mul', [`${p}_A_s`, `${p}_W_s`], [`${p}_s`]),
      node('Mul', [`${p}_f`, `${p}_s`], [n.outputs[0]!]),
    );
    done++;
  }
  graph.nodes = nodes;
  return done;
}

async function main(): Promise<void> {
  const [src, out] = process.argv.slice(2);
  if (!src || !out) throw new Error('usage: npx tsx bench/quantize-dynamic.ts SRC_FOLDER OUT_FOLDER');
  const { graph } = importOnnx(readFileSync(join(src, 'model.onnx')));
  const count = quantizeDynamic(graph);
  const model = exportOnnx(graph, { opset: Math.max(13, graph.opsets.get('') ?? 13) });
  mkdirSync(join(out, 'test_data_set_0'), { recursive: true });
  writeFileSync(join(out, 'model.onnx'), model);
  const dir = join(src, 'test_data_set_0');
  const feeds: Record<string, ort.Tensor> = {};
  for (const f of readdirSync(dir).filter((f) => f.startsWith('input_')).sort()) {
    copyFileSync(join(dir, f), join(out, 'test_data_set_0', f));
    const { name, tensor } = readTensorPb(join(dir, f));
    feeds[name] = new ort.Tensor(tensor.dtype === 'int64' ? 'int64' : 'float32', tensor.data as Float32Array, [...tensor.shape]);
  }
  const sess = await ort.InferenceSession.create(model);
  const res = await sess.run(feeds);
  graph.outputs.forEach((o, i) => {
    const r = res[o.name]!;
    writeFileSync(join(out, 'test_data_set_0', `output_${i}.pb`), encodeTensorProto(o.name, new Tensor('float32', [...r.dims], Float32Array.from(r.data as Float32Array))));
  });
  console.log(`${count} MatMuls quantized dynamically; wrote ${join(out, 'model.onnx')} and test_data_set_0 (outputs from onnxruntime ${ort.env.versions.common})`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
