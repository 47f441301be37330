// Weights that reach their Conv/MatMul through one-pass ops (a transpose, a reshape, a
// DequantizeLinear, weight normalization's reduce and arithmetic), as exporters that do not fold
// constants leave them, are constants to the partitioner whatever their size: shape inference
// folds those ops up to 64 M elements (other constant expressions only up to 65,536), so the
// matrix product goes to the engine rather than staying in the framework with a "weights are not
// a constant" refusal. The partitioned graph computes what onnxruntime computes on the original.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../../src/ir/builder.js';
import { ENGINE_SUPPORT } from '../../src/engine/support.js';
import { applyPartition, FOLDED_REASON, partitionGraph } from '../../src/partition/partition.js';
import { exportOnnx } from '../../src/onnx/export/model.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { runOrt } from '../helpers/ort-reference.js';
import { runWithEngines, typesOf } from './helpers.js';
import { elementCount } from '../../src/tensor/shape.js';
import { compareTensors } from '../../src/tensor/compare.js';

const seeded = (shape: number[], k = 1) => Tensor.fromArray(shape, Array.from({ length: elementCount(shape) }, (_, i) => Math.sin(i * 0.37 * k + k) * 0.1));

test('a 120,000-weight MatMul fed through Transpose and a 73,728-weight Conv fed through Reshape and DequantizeLinear go to the engine', async () => {
  const b = new GraphBuilder('folds');
  const x = b.input('x', 'float32', [2, 300]);
  const int64 = (v: number[]) => Tensor.fromNumeric('int64', [v.length], v);
  const wt = b.op('Transpose', [b.constant('w', seeded([400, 300], 2))], { perm: [1, 0] }, 'wT'); // 120,000 weights
  const h = b.op('Relu', [b.op('MatMul', [x, wt], {}, 'mm')], {}, 'relu');
  const img = b.op('Reshape', [h, b.constant('s4', int64([2, 16, 5, 5]))], {}, 'toimg');
  // 73,728 int8 weights stored flat, reshaped, then dequantized per tensor
  const wq = Tensor.fromNumeric('int8', [128, 576], Array.from({ length: 128 * 576 }, (_, i) => ((i * 37) % 255) - 127));
  const wshaped = b.op('Reshape', [b.constant('wq', wq), b.constant('s', int64([128, 16, 6, 6]))], {}, 'wshape');
  const w = b.op('DequantizeLinear', [wshaped, b.constant('ws', Tensor.fromArray([], [0.002])), b.constant('wz', Tensor.fromNumeric('int8', [], [0]))], {}, 'wdq');
  b.output(b.op('Conv', [img, w], { pads: [3, 3, 2, 2] }, 'conv'));
  const g = b.graph;
  const types = typesOf(g);
  const result = partitionGraph(g, types, { supports: ENGINE_SUPPORT, backend: 'webgpu' });
  assert.deepEqual(result.declined.filter((d) => d.reason !== FOLDED_REASON), [], 'only folded nodes stay out');
  assert.deepEqual(result.subgraphs.map((s) => s.nodes), [['mm', 'relu', 'toimg', 'conv']]);
  const xv = seeded([2, 300], 5);
  const want = (await runOrt(exportOnnx(g, { opset: 17 }), { x: xv }))[g.outputs[0]!.name]!;
  const got = runWithEngines(applyPartition(g, types, result).graph, { x: xv })[g.outputs[0]!.name]!;
  const c = compareTensors(got, want, { atol: 1e-4, rtol: 1e-3 });
  assert.ok(c.pass, c.reason);
});

test('weight normalization left in the graph (w = g · v / ‖v‖, 73,728 weights) folds: the Conv goes to the engine', async () => {
  const b = new GraphBuilder('weightnorm');
  const x = b.input('x', 'float32', [1, 64, 6, 6]);
  const v = b.constant('v', seeded([128, 64, 3, 3], 7));
  const norm = b.op('ReduceL2', [v, b.constant('axes', Tensor.fromNumeric('int64', [3], [1, 2, 3]))], { keepdims: 1 }, 'norm');
  const w = b.op('Mul', [b.op('Div', [v, norm], {}, 'unit'), b.constant('g', seeded([128, 1, 1, 1], 9))], {}, 'w');
  b.output(b.op('Relu', [b.op('Conv', [x, w], { pads: [1, 1, 1, 1] }, 'conv')], {}, 'y'));
  const g = b.graph;
  const types = typesOf(g);
  const result = partitionGraph(g, types, { supports: ENGINE_SUPPORT, backend: 'webgpu', minSubgraphSize: 2 });
  assert.deepEqual(result.declined.filter((d) => d.reason !== FOLDED_REASON), [], 'only folded nodes stay out');
  assert.deepEqual(result.subgraphs.map((s) => s.nodes), [['conv', 'y']]);
  const xv = seeded([1, 64, 6, 6], 11);
  const want = (await runOrt(exportOnnx(g, { opset: 18 }), { x: xv }))[g.outputs[0]!.name]!;
  const got = runWithEngines(applyPartition(g, types, result).graph, { x: xv })[g.outputs[0]!.name]!;
  const c = compareTensors(got, want, { atol: 1e-4, rtol: 1e-3 });
  assert.ok(c.pass, c.reason);
});
