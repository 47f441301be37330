// Which layers lose accuracy in an int8 build of the gender-age model, without a GPU: the engine's
// int8 network (import + passes, as `nnrt build --precision int8` makes it) is lowered back to ONNX
// (src/engine/lower.ts: the int8 layers as Sub/Mul/Conv/Round/Clip in float, which the engine's
// integer kernels reproduce exactly) and run on onnxruntime, against onnxruntime on the fp32
// export. Prints fc1's relative L2 error, gender agreement and mean abs Δage with all layers int8,
// with only one layer int8 (each in turn), and with the early layers pinned to fp32.
// --equalize calibrates the cross-layer-equalized network (nnrt calibrate --equalize), so the build
// equalizes too.
//   npx tsx bench/int8-sensitivity.ts [--algo minmax] [--calib 60] [--faces 200] [--single] [--equalize] [--eval-seed 100000]
//       [--percentile 99.99] [--pins a,b;c,d (rows with those layers fp32, instead of the default rows)]
import { parseArgs } from 'node:util';
import { BASELINE_CAPS } from '../src/devices/webgpu/caps.js';
import type { CalibrationAlgo } from '../src/engine/calibrate/cache-file.js';
import { buildNetwork } from '../src/engine/builder.js';
import { checkBuilderConfig } from '../src/engine/config.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { exportOnnx } from '../src/onnx/export/model.js';
import '../src/ops/index.js';
import { calibrateGraph } from '../src/runtime/calibrate.js';
import { FACE_MODELS, cropInputs, genderAge, loadFaceModel, runOrtAll } from './int8-faces.js';

const { values } = parseArgs({ options: { algo: { type: 'string', default: 'minmax' }, calib: { type: 'string', default: '60' }, faces: { type: 'string', default: '200' }, single: { type: 'boolean', default: false }, equalize: { type: 'boolean', default: false }, 'eval-seed': { type: 'string', default: '100000' }, percentile: { type: 'string' }, pins: { type: 'string' } } });
const m = FACE_MODELS.find((f) => f.key === 'ga')!;
const { graph, onnx } = loadFaceModel(m);
const evalSet = cropInputs(m, Number(values['eval-seed']), Number(values.faces), 0);
const calib = cropInputs(m, 0, Number(values.calib), 0);
const want = await runOrtAll(onnx, evalSet);
const cache = await calibrateGraph(graph, { count: calib.length, get: (i) => ({ data: calib[i]! }) }, { algo: values.algo as CalibrationAlgo, device: 'cpu', equalize: values.equalize, ...(values.percentile ? { percentile: Number(values.percentile) } : {}) });
const caps = { ...BASELINE_CAPS, packedDot4I8: true };
const layers = graph.nodes.filter((n) => n.opType === 'Conv' || n.opType === 'Gemm').map((n) => n.name);

async function measure(pins: string[]): Promise<string> {
  const cfg = checkBuilderConfig({ precision: 'int8', calibration: cache, layerPrecision: Object.fromEntries(pins.map((p) => [p, 'fp32' as const])) });
  const got = await runOrtAll(exportOnnx(lowerNetwork(buildNetwork(graph, { data: [1, 3, m.size, m.size] }, cfg, caps)), { opset: 18 }), evalSet);
  let [num, den, gender, age] = [0, 0, 0, 0];
  got.forEach((o, i) => {
    const [a, b] = [o.fc1_output!, want[i]!.fc1_output!];
    a.forEach((v, j) => {
      num += (v - b[j]!) ** 2;
      den += b[j]! ** 2;
    });
    const [x, y] = [genderAge(a), genderAge(b)];
    gender += x.gender === y.gender ? 1 : 0;
    age += Math.abs(x.age - y.age);
  });
  return `fc1 rel L2 ${Math.sqrt(num / den).toFixed(3)}, gender ${gender}/${got.length}, mean abs Δage ${(age / got.length).toFixed(2)}`;
}

const upTo = (k: number) => layers.filter((c) => {
  const block = /^conv_(\d+)_/.exec(c);
  return block && Number(block[1]) >= 2 && Number(block[1]) <= k;
});
console.log(`gender-age, ${values.equalize ? 'equalized, ' : ''}${values.algo} calibration on ${calib.length} crops, ${evalSet.length} evaluation crops`);
console.log(`all ${layers.length} layers int8: ${await measure([])}`);
// --pins a,b;c,d: one row per ';'-separated set of layers kept fp32
for (const set of values.pins?.split(';') ?? []) console.log(`${set} fp32: ${await measure(set.split(',').filter(Boolean))}`);
if (values.pins) process.exit(0);
if (values.single) for (const c of layers) console.log(`only ${c} int8: ${await measure(layers.filter((x) => x !== c))}`);
for (const k of [5, 7, 9, 14]) console.log(`conv_2..conv_${k} fp32 (${upTo(k).length} layers): ${await measure(upTo(k))}`);
