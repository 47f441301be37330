import '../../src/node/webgpu.js';
import { loadOnnxFile } from '../../src/node/files.js';
import { Graph } from '../../src/ir/graph.js';
import { inferShapes } from '../../src/ir/infer.js';
import { opTyper } from '../../src/ops/typer.js';
import { createSession } from '../../src/session.js';
import { randomTensor } from '../helpers/ort-reference.js';
const m = process.argv[2] ?? 'squeezenet1_1';
const { graph } = loadOnnxFile(`/work/shared/models/${m}/model.onnx`);
const known = inferShapes(graph.clone(), opTyper, {});
const agg = new Map<string, number>();
for (const n of graph.nodes) {
  if (known.get(n.outputs[0]!)?.value) continue;
  const ins = n.inputs.filter((i) => i && !graph.initializers.has(i) && !known.get(i)?.value);
  const g = new Graph({ nodes: [n], inputs: ins.map((i) => ({ name: i, dtype: 'float32', shape: [...known.get(i)!.shape] })),
    outputs: [{ name: n.outputs[0]! }], initializers: new Map([...graph.initializers].filter(([k]) => n.inputs.includes(k))) });
  for (const i of n.inputs) if (i && known.get(i)?.value && !graph.initializers.has(i)) g.initializers.set(i, known.get(i)!.value!);
  const s = await createSession(g, { device: 'webgpu' });
  const feeds = Object.fromEntries(ins.map((i) => [i, randomTensor([...known.get(i)!.shape], 1)]));
  await s.run(feeds);
  const t = performance.now();
  for (let k = 0; k < 3; k++) await s.run(feeds);
  const ms = (performance.now() - t) / 3;
  const key = n.opType + (n.opType === 'Conv' ? ` w${graph.initializers.get(n.inputs[1]!)!.shape.join('x')} x${known.get(n.inputs[0]!)!.shape.join('x')}` : '');
  agg.set(n.opType, (agg.get(n.opType) ?? 0) + ms);
  if (ms > 20) console.log(key, ms.toFixed(1));
}
console.log([...agg].map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', '));
