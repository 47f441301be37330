import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph, type Node } from '../../src/ir/graph.js';
import { topoSort } from '../../src/ir/topo.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { GraphError } from '../../src/errors.js';

const node = (name: string, inputs: string[], outputs: string[]): Node => ({ name, opType: 'Relu', domain: '', inputs, outputs, attrs: {} });
const graph = (nodes: Node[]) =>
  new Graph({ nodes, inputs: [{ name: 'x', dtype: 'float32', shape: [1] }], outputs: [{ name: nodes.at(-1)!.outputs[0]! }] });

test('topological order is stable and respects dependencies', () => {
  // file order c, a, b with c depending on b: a and b must come first, ties in file order
  const g = graph([node('c', ['b_out'], ['c_out']), node('a', ['x'], ['a_out']), node('b', ['a_out'], ['b_out'])]);
  assert.deepEqual(topoSort(g).map((n) => n.name), ['a', 'b', 'c']);
});

test('cycles, dangling inputs and duplicates are GraphErrors that name the node', () => {
  const cyc = graph([node('p', ['x', 'q_out'], ['p_out']), node('q', ['p_out'], ['q_out'])]);
  assert.throws(() => verifyGraph(cyc), (e: unknown) => e instanceof GraphError && /cycle/.test(e.message) && /node '(p|q)'/.test(e.message));
  const missing = graph([node('a', ['x', 'weight'], ['y'])]);
  assert.throws(() => verifyGraph(missing), (e: unknown) => e instanceof GraphError && /'weight'/.test(e.message) && /missing initializer/.test(e.message) && /node 'a'/.test(e.message));
  const dup = graph([node('a', ['x'], ['y']), node('a', ['y'], ['z'])]);
  assert.throws(() => verifyGraph(dup), /two nodes are named 'a'/);
  const twice = graph([node('a', ['x'], ['y']), node('b', ['x'], ['y'])]);
  assert.throws(() => verifyGraph(twice), /produced twice/);
});
