// Recomputes the committed model fixtures' expected outputs with onnxruntime-node (the reference,
// never nnrt): models/NAME/test_data_set_0/output_0.pb from input_0.pb. Without --write it checks
// that the committed outputs match what onnxruntime computes here.
//   npx tsx scripts/model-reference.ts [--write]
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { encodeTensorProto, Tensor } from '../src/index.js';
import { readTensorPb } from '../src/node/files.js';

const root = new URL('../models/', import.meta.url).pathname;
const write = process.argv.includes('--write');
let bad = 0;
for (const name of readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)) {
  const dir = join(root, name, 'test_data_set_0');
  const session = await ort.InferenceSession.create(join(root, name, 'model.onnx'));
  const x = readTensorPb(join(dir, 'input_0.pb')).tensor;
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', x.data as Float32Array, [...x.shape]) });
  const y = out[session.outputNames[0]!]!;
  const got = new Tensor('float32', [...y.dims], y.data as Float32Array);
  const file = join(dir, 'output_0.pb');
  if (write) {
    writeFileSync(file, encodeTensorProto(session.outputNames[0]!, got));
    console.log(`wrote ${file}`);
    continue;
  }
  const want = readTensorPb(file).tensor.data as Float32Array;
  const diff = want.reduce((m, v, i) => Math.max(m, Math.abs(v - got.data[i]!)), 0);
  console.log(`${name}: onnxruntime ${ort.env.versions.common} vs committed output_0.pb: max |diff| ${diff.toExponential(2)}`);
  if (!(diff <= 1e-4)) bad++;
}
process.exit(bad ? 1 : 0);
