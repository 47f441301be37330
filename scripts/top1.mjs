// fp16 engine top-1 vs the reference output: node scripts/top1.mjs MODEL_DIR [fp16|fp32]
import { createSession, loadOnnxFile, readTensorPb } from '../dist/node.js';
const [dir, precision = 'fp16'] = process.argv.slice(2);
const { graph } = loadOnnxFile(`${dir}/model.onnx`);
const x = readTensorPb(`${dir}/test_data_set_0/input_0.pb`).tensor;
const want = readTensorPb(`${dir}/test_data_set_0/output_0.pb`).tensor;
const s = await createSession(graph, { device: 'webgpu', engine: 'webgpu', precision });
const name = s.inputs[0].name;
const y = Object.values(await s.run({ [name]: x }))[0];
const argmax = (t) => {
  const n = t.shape.at(-1);
  const rows = t.data.length / n;
  return Array.from({ length: rows }, (_, r) => { let b = 0; for (let i = 1; i < n; i++) if (t.data[r * n + i] > t.data[r * n + b]) b = i; return b; });
};
const a = argmax(y), b = argmax(want);
let maxAbs = 0;
for (let i = 0; i < y.data.length; i++) maxAbs = Math.max(maxAbs, Math.abs(y.data[i] - want.data[i]));
console.log(`${dir} ${precision}: top-1 ${a.join(',')} reference ${b.join(',')} ${a.join() === b.join() ? 'MATCH' : 'DIFFER'}; max abs ${maxAbs.toExponential(2)}`);
s.dispose();
process.exit(0);
