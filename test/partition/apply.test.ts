// applyPartition: each subgraph becomes one nnrt.Engine node carrying its subgraph; engine-only
// weights leave the outer graph; the rewritten graph types itself through the Engine op and
// computes what the original computes (engine subgraphs run here on the CPU framework, the
// reference; the original runs on CpuExecutor).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CpuExecutor } from '../../src/executor/executor.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { NNRT_DOMAIN } from '../../src/ir/graph.js';
import { inferShapes } from '../../src/ir/infer.js';
import { opTyper } from '../../src/ops/index.js';
import { ENGINE_SUPPORT } from '../../src/engine/support.js';
import { applyPartition, partitionGraph } from '../../src/partition/partition.js';
import { isEngineNode } from '../../src/partition/engine-op.js';
import { ShapeError } from '../../src/errors.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { runWithEngines, typesOf } from './helpers.js';
import { elementCount } from '../../src/tensor/shape.js';

const seeded = (shape: number[], k = 1) => Tensor.fromArray(shape, Array.from({ length: elementCount(shape) }, (_, i) => Math.sin(i * 0.37 * k + k)));

/** conv → add → relu → LpNormalization → Sub → LpNormalization → conv → relu → sigmoid (the engine declines LpNormalization); Sub reads the first add's constant too. */
function convLpNormConv() {
  const b = new GraphBuilder('net');
  const x = b.input('x', 'float32', [1, 2, 4, 4]);
  const w1 = b.constant('w1', seeded([3, 2, 3, 3], 1)); // 216 B, engine_0 only
  const w2 = b.constant('w2', seeded([3, 3, 1, 1], 2)); // 36 B, engine_1 only
  const shared = b.constant('shared', seeded([1, 3, 1, 1], 3)); // 12 B, engine_0 and a framework Sub
  const c1 = b.op('Relu', [b.op('Add', [b.op('Conv', [x, w1], { pads: [1, 1, 1, 1] }, 'conv1'), shared], {}, 'bias1')], {}, 'relu1');
  const t = b.op('LpNormalization', [c1], { axis: 3 }, 'lpnorm');
  const s = b.op('Sub', [t, shared], {}, 'sub'); // supported, but alone between two LpNormalizations
  const y = b.op('Relu', [b.op('Conv', [b.op('LpNormalization', [s], { axis: 2 }, 'lpnorm2'), w2], {}, 'conv2')], {}, 'relu2');
  b.output(b.op('Sigmoid', [y], {}, 'out'));
  return b.graph;
}

test('subgraphs become nnrt.Engine nodes; the outer graph keeps only framework nodes, in a valid order', () => {
  const g = convLpNormConv();
  const types = typesOf(g);
  const result = partitionGraph(g, types, { supports: ENGINE_SUPPORT, backend: 'webgpu', minSubgraphSize: 2 });
  assert.deepEqual(result.subgraphs.map((s) => s.nodes), [['conv1', 'bias1', 'relu1'], ['conv2', 'relu2', 'out']]);
  assert.deepEqual(result.declined.map((d) => d.node), ['lpnorm', 'lpnorm2']);
  assert.deepEqual(result.tooSmall.map((c) => c.nodes), [['sub']]);

  const { graph: outer, engineNodes } = applyPartition(g, types, result);
  assert.deepEqual(outer.nodes.map((n) => n.name), ['engine_0', 'lpnorm', 'sub', 'lpnorm2', 'engine_1']);
  const [e0, e1] = engineNodes;
  assert.ok(e0 && isEngineNode(e0) && e1);
  assert.equal(e0.domain, NNRT_DOMAIN);
  assert.equal(e0.opType, 'Engine');
  assert.deepEqual([e0.inputs, e0.outputs], [['x'], ['relu1']]);
  assert.deepEqual([e1.inputs, e1.outputs], [['lpnorm2'], ['out']]);
  assert.deepEqual(e0.subgraph.nodes.map((n) => n.name), ['conv1', 'bias1', 'relu1']);
  assert.deepEqual(e0.subgraph.inputs, [{ name: 'x', dtype: 'float32', shape: [1, 2, 4, 4] }]);
  assert.deepEqual(e0.subgraph.outputs, [{ name: 'relu1', dtype: 'float32', shape: [1, 3, 4, 4] }]);
  assert.deepEqual([...e0.subgraph.initializers.keys()], ['w1', 'shared']);
  assert.equal(e0.attrs.node_count?.value, 3);
  assert.equal(g.nodes.length, 9, 'the input graph is not changed');
});

test('weights used only by engines leave the outer graph; shared ones stay once, counted as shared', () => {
  const g = convLpNormConv();
  const types = typesOf(g);
  const result = partitionGraph(g, types, { supports: ENGINE_SUPPORT, backend: 'webgpu', minSubgraphSize: 2 });
  const { graph: outer, weightBytes, engineNodes } = applyPartition(g, types, result);
  assert.deepEqual([...outer.initializers.keys()], ['shared']);
  // w1 3·2·3·3·4 = 216, w2 3·3·4 = 36, shared 3·4 = 12
  assert.deepEqual(weightBytes, { before: 264, after: 12, engines: 264, shared: 12 });
  assert.equal(engineNodes[0]!.subgraph.initializers.get('shared'), g.initializers.get('shared'), 'the tensor is shared, not copied');
});

test('the Engine op types the outer graph with the recorded shapes and refuses other input shapes', () => {
  const g = convLpNormConv();
  const types = typesOf(g);
  const { graph: outer } = applyPartition(g, types, partitionGraph(g, types, { supports: ENGINE_SUPPORT, backend: 'webgpu', minSubgraphSize: 2 }));
  const outerTypes = inferShapes(outer, opTyper);
  assert.deepEqual(outerTypes.get('out')?.shape, types.get('out')!.shape);
  assert.deepEqual(outerTypes.get('relu1')?.shape, [1, 3, 4, 4]);
  outer.inputs[0]!.shape = [1, 2, 'h', 'w']; // as if the model had symbolic dims: the engine was built for 4×4
  assert.throws(() => inferShapes(outer, opTyper, { x: [1, 2, 5, 5] }), (e) => e instanceof ShapeError && /partitioned for \[1,2,4,4\]/.test(e.message));
});

test('the rewritten graph computes what the original computes', () => {
  const g = convLpNormConv();
  const types = typesOf(g);
  const x = seeded([1, 2, 4, 4], 5);
  const want = new CpuExecutor(g).run({ x });
  assert.ok(!(want.out!.data as Float32Array).some(Number.isNaN), 'no all-zero row reaches LpNormalization');
  for (const minSubgraphSize of [1, 2, 3]) {
    const { graph: outer } = applyPartition(g, types, partitionGraph(g, types, { supports: ENGINE_SUPPORT, backend: 'webgpu', minSubgraphSize }));
    const got = runWithEngines(outer, { x });
    assert.deepEqual(got.out!.shape, want.out!.shape);
    assert.deepEqual([...got.out!.data], [...want.out!.data], `min size ${minSubgraphSize}`);
  }
});

test('folded shape inputs move into the engine as constants; the nodes that computed them go away', () => {
  const b = new GraphBuilder('fold');
  const x = b.input('x', 'float32', [1, 2, 3]);
  const shape = b.op('Shape', [x], {}, 'shape'); // not an engine op; its value is known statically
  const r = b.op('Reshape', [b.op('Relu', [x], {}, 'relu'), shape], {}, 'reshape');
  b.output(b.op('Sigmoid', [r], {}, 'y'));
  const g = b.graph;
  const types = typesOf(g);
  const result = partitionGraph(g, types, { supports: ENGINE_SUPPORT, backend: 'webgpu' });
  assert.deepEqual(result.subgraphs.map((s) => [s.nodes, s.inputs, s.constants]), [[['relu', 'reshape', 'y'], ['x'], ['shape']]]);
  const { graph: outer, engineNodes } = applyPartition(g, types, result);
  assert.deepEqual(outer.nodes.map((n) => n.name), ['engine_0']);
  assert.deepEqual([...engineNodes[0]!.subgraph.initializers.get('shape')!.data], [1n, 2n, 3n]);
  const xv = seeded([1, 2, 3]);
  assert.deepEqual([...runWithEngines(outer, { x: xv }).y!.data], [...new CpuExecutor(g).run({ x: xv }).y!.data]);
});

test('engine node names never collide with existing node names', () => {
  const b = new GraphBuilder('names');
  const x = b.input('x', 'float32', [1, 4]);
  b.output(b.op('Relu', [b.op('Relu', [b.op('Relu', [x], {}, 'engine_0')], {}, 'r2')], {}, 'r3'));
  const g = b.graph;
  const types = typesOf(g);
  const { graph: outer } = applyPartition(g, types, partitionGraph(g, types, { supports: ENGINE_SUPPORT, backend: 'webgpu' }));
  assert.deepEqual(outer.nodes.map((n) => n.name), ['engine_0_1']);
});

test('weights routed through Identity (TorchScript style) are constants, even when too large to fold', () => {
  const b = new GraphBuilder('identity');
  const x = b.input('x', 'float32', [1, 256, 1, 2]);
  const big = b.constant('wbig', seeded([300, 256, 1, 1], 4)); // 76,800 elements: inference does not fold it
  const w = b.op('Identity', [big], {}, 'wid');
  b.output(b.op('Relu', [b.op('Add', [b.op('Conv', [x, w], {}, 'conv'), b.constant('bias', seeded([1, 300, 1, 1]))], {}, 'add')], {}, 'y'));
  const g = b.graph;
  const types = typesOf(g);
  assert.equal(types.get('wid')?.value, undefined, 'not folded by inference');
  const xv = seeded([1, 256, 1, 2], 6);
  const want = new CpuExecutor(g).run({ x: xv }).y!;
  for (const excludeNodes of [[], ['wid']]) {
    const result = partitionGraph(g, types, { supports: ENGINE_SUPPORT, backend: 'webgpu', excludeNodes });
    const inside = excludeNodes.length === 0;
    assert.deepEqual(result.subgraphs.map((s) => [s.nodes, s.inputs, s.constants]),
      [[inside ? ['wid', 'conv', 'add', 'y'] : ['conv', 'add', 'y'], ['x'], inside ? ['wbig', 'bias'] : ['wid', 'bias']]]);
    const { graph: outer, engineNodes } = applyPartition(g, types, result);
    assert.deepEqual(outer.nodes.map((n) => n.name), ['engine_0'], 'the framework Identity only fed the engine: removed');
    assert.deepEqual([...outer.initializers.keys()], []);
    assert.equal([...engineNodes[0]!.subgraph.initializers.values()][0], g.initializers.get('wbig'));
    assert.deepEqual([...runWithEngines(outer, { x: xv }).y!.data], [...want.data]);
  }
});
