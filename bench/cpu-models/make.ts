// Writes the CPU benchmark models that need no download into an ignored cache folder, each as
// DIR/NAME/model.onnx with DIR/NAME/test_data_set_0/{input,output}_K.pb (seeded inputs, outputs
// computed by onnxruntime-node), so that `nnrt verify DIR/NAME/model.onnx` checks nnrt against them
// and `nnrt bench` times them (bench/cpu-engine.ts runs the suite):
//   resnet50      nnrt zoo resnet50_v1, seeded weights, [1,3,224,224]
//   mobilenet_v2  nnrt zoo mobilenet_v2_1_0, seeded weights, [1,3,224,224]
//   bert_small    BERT, 4 layers, hidden 256, 4 heads, seq 128 (bert.ts)
//   ocr_crnn      PaddleOCR-like CNN + 2 bidirectional LSTM + CTC head on [1,3,32,320] (ocr.ts)
//
//   npx tsx bench/cpu-models/make.ts [NAMES...] [--out DIR] [--force]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { importOnnx } from '../../src/onnx/import/model.js';
import { encodeTensorProto } from '../../src/onnx/tensor-write.js';
import { mulberry32, uniformTensor } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { init } from '../../src/nn/init.js';
import { get_model } from '../../src/zoo/vision.js';
import { BERT_SMALL, bertOnnx } from './bert.js';
import { ocrOnnx } from './ocr.js';

export const CACHE = 'bench/cpu-models/.cache';
const SEED = 1;

// Xavier (in, magnitude 6: He's variance 2/fan-in) keeps activations at scale through the depth; Gluon's default
// Uniform(0.07) shrinks them to ~1e-20 by the logits, which would make the verify data meaningless
const zoo = (name: string) => () => get_model(name).initialize({ seed: SEED, init: init.xavier({ factorType: 'in', magnitude: 6 }) }).exportOnnx({ dtype: 'float32', shape: [1, 3, 224, 224] });

/** Each model's ONNX bytes. */
export const MODELS: Record<string, () => Uint8Array> = {
  resnet50: zoo('resnet50_v1'),
  mobilenet_v2: zoo('mobilenet_v2_1_0'),
  bert_small: () => bertOnnx(BERT_SMALL, SEED),
  ocr_crnn: () => ocrOnnx(SEED),
};

/** Seeded inputs: floats uniform in [-1, 1); BERT's ids below the vocabulary, a mask with 28 padded positions, token types 0. */
function inputsFor(onnx: Uint8Array): Record<string, Tensor> {
  const { graph } = importOnnx(onnx);
  const out: Record<string, Tensor> = {};
  graph.inputs.filter((v) => !graph.initializers.has(v.name)).forEach((v, i) => {
    const shape = v.shape as number[];
    const n = shape.reduce((a, d) => a * d, 1);
    if (v.dtype === 'float32') out[v.name] = uniformTensor(shape, SEED + i, -1, 1);
    else if (v.name === 'input_ids') {
      const rand = mulberry32(SEED + i);
      out[v.name] = new Tensor('int64', shape, BigInt64Array.from({ length: n }, () => BigInt(Math.floor(rand() * BERT_SMALL.vocab))));
    } else if (v.name === 'attention_mask') out[v.name] = new Tensor('int64', shape, BigInt64Array.from({ length: n }, (_, j) => (j < n - 28 ? 1n : 0n)));
    else out[v.name] = new Tensor('int64', shape, new BigInt64Array(n));
  });
  return out;
}

async function reference(onnx: Uint8Array, inputs: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const session = await ort.InferenceSession.create(onnx, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  const feeds = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, new ort.Tensor(t.dtype, t.data as never, [...t.shape])]));
  const res = await session.run(feeds);
  await session.release();
  return Object.fromEntries(session.outputNames.map((k) => [k, new Tensor('float32', [...res[k]!.dims], res[k]!.data as Float32Array)]));
}

export async function makeModel(name: string, dir = CACHE, force = false): Promise<string> {
  const folder = join(dir, name);
  const file = join(folder, 'model.onnx');
  if (existsSync(join(folder, 'test_data_set_0', 'output_0.pb')) && !force) return file;
  const make = MODELS[name];
  if (!make) throw new Error(`unknown model '${name}': one of ${Object.keys(MODELS).join(', ')}`);
  const onnx = make();
  const inputs = inputsFor(onnx);
  const outputs = await reference(onnx, inputs);
  const data = join(folder, 'test_data_set_0');
  mkdirSync(data, { recursive: true });
  writeFileSync(file, onnx);
  Object.entries(inputs).forEach(([k, t], i) => writeFileSync(join(data, `input_${i}.pb`), encodeTensorProto(k, t)));
  Object.entries(outputs).forEach(([k, t], i) => writeFileSync(join(data, `output_${i}.pb`), encodeTensorProto(k, t)));
  return file;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('make.ts')) {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const outAt = args.indexOf('--out');
  const dir = outAt >= 0 ? args[outAt + 1]! : CACHE;
  const names = args.filter((a, i) => !a.startsWith('--') && (outAt < 0 || i !== outAt + 1));
  for (const name of names.length ? names : Object.keys(MODELS)) {
    const t0 = Date.now();
    console.log(`${await makeModel(name, dir, force)}  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
}
