// The partitioner and the engine builder share one notion of what the engine takes: over every
// ONNX backend node test (../shared/fixtures/onnx-node), every subgraph the partitioner proposes
// from the support predicate alone (minimum size 1) is one the builder's dry build accepts in fp32.
// In fp16 a refusal may only ask for fp32 on a layer, and the layer must then build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import '../../src/ops/index.js';
import { checkEngineBuild } from '../../src/engine/check-build.js';
import { NnrtError } from '../../src/errors.js';
import { bindShape, inferShapes } from '../../src/ir/infer.js';
import { listDataSets, loadDataSet } from '../../src/node/backend-test.js';
import { loadOnnxFile } from '../../src/node/files.js';
import { opTyper } from '../../src/ops/typer.js';
import { applyPartition, partitionGraph } from '../../src/partition/index.js';
import { backendSupport } from '../../src/runtime/backends.js';
import { FIXTURES } from '../helpers/conformance.js';

const folders = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((d) => d.startsWith('test_')).sort() : [];

test('every subgraph the partitioner proposes over the ONNX node suite builds (dry build, fp32 and fp16)', { skip: folders.length ? false : `${FIXTURES} is absent` }, () => {
  const refusals: string[] = [];
  let subgraphs = 0;
  for (const folder of folders) {
    const dir = join(FIXTURES, folder);
    let graph;
    let types;
    try {
      graph = loadOnnxFile(join(dir, 'model.onnx')).graph;
      const sets = listDataSets(dir);
      const feeds = sets.length ? loadDataSet(sets[0]!).inputs : [];
      const inputs = graph.inputs.filter((v) => !graph!.initializers.has(v.name));
      const shapes = Object.fromEntries(inputs.map((v, i) => [v.name, feeds[i] ? bindShape(v, feeds[i]!.shape) : v.shape.map(Number)]));
      types = inferShapes(graph, opTyper, shapes);
    } catch (e) {
      if (e instanceof NnrtError) continue; // models nnrt refuses to load are not partitioned at all
      throw e;
    }
    const result = partitionGraph(graph, types, { supports: backendSupport('webgpu'), backend: 'webgpu', minSubgraphSize: 1 });
    for (const engine of applyPartition(graph, types, result).engineNodes) {
      subgraphs++;
      const sub = engine.subgraph;
      const shapes = Object.fromEntries(sub.inputs.map((v) => [v.name, v.shape.map(Number)]));
      const fp32 = checkEngineBuild(sub, shapes, { precision: 'fp32' });
      if (fp32) refusals.push(`${folder} fp32: ${fp32.reason}`);
      const fp16 = checkEngineBuild(sub, shapes, { precision: 'fp16' });
      if (fp16 && fp16.remedy !== 'fp32') refusals.push(`${folder} fp16: ${fp16.reason}`);
      if (fp16?.remedy === 'fp32') {
        const again = checkEngineBuild(sub, shapes, { precision: 'fp16', layerPrecision: Object.fromEntries(fp16.nodes.map((n) => [n, 'fp32'])) });
        if (again) refusals.push(`${folder} fp16 with ${fp16.nodes.join(', ')} in fp32: ${again.reason}`);
      }
    }
  }
  assert.ok(subgraphs > 100, `only ${subgraphs} subgraphs proposed`);
  assert.deepEqual(refusals, []);
});
