// Which graph inputs must be folded into an engine plan by value: only those whose values (not
// shapes) reach a shape-deciding input. A ViT export reshapes its image through Shape → Gather →
// Concat → Reshape; folding the image made every node a "constant" and the engine took nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../../src/ir/builder.js';
import '../../src/ops/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { shapeDecidingInputs } from '../../src/executor/shape-deciding-inputs.js';
import { bindNode } from '../../src/ops/typer.js';
import { topoSort } from '../../src/ir/topo.js';

const order = (b: GraphBuilder) => topoSort(b.graph).map((n) => bindNode(n, 18));

test('an input that reaches Reshape only through Shape is not shape-deciding', () => {
  const b = new GraphBuilder();
  const x = b.input('pixels', 'float32', [1, 4, 8]);
  const shape = b.op('Shape', [x]);
  const batch = b.op('Gather', [shape, b.constant('zero', Tensor.fromNumeric('int64', [1], [0]))], { axis: 0 });
  const target = b.op('Concat', [batch, b.constant('rest', Tensor.fromNumeric('int64', [1], [-1]))], { axis: 0 });
  b.output(b.op('Relu', [b.op('Reshape', [x, target])]));
  assert.deepEqual([...shapeDecidingInputs(b.graph, order(b))], []);
});

test('an input whose value reaches Reshape is shape-deciding', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [2, 6]);
  const s = b.input('shape', 'int64', [2]);
  b.output(b.op('Reshape', [x, b.op('Identity', [s])]));
  assert.deepEqual([...shapeDecidingInputs(b.graph, order(b))], ['shape']);
});
