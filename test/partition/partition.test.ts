// The partitioner on tiny graphs with expected node-name lists (PyTorch FX partitioner-test style):
// chains, diamonds, multi-output nodes, graph outputs inside a cluster, cycle traps, user-forced
// fallbacks, the minimum size, determinism and bad options. The toy backend supports Relu, Add,
// Mul, Split, Identity and declines everything else (Abs, Neg stand for "unsupported").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphError, UsageError } from '../../src/errors.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { partitionGraph, DEFAULT_MIN_SUBGRAPH_SIZE } from '../../src/partition/partition.js';
import { backendSupport } from '../../src/runtime/backends.js';
import { builder, partitionToy, reentrantSubgraphs, TOY, typesOf } from './helpers.js';

test('a chain split by an unsupported node: two subgraphs, the declined node named with its reason', () => {
  const { b, x } = builder();
  const r2 = b.op('Relu', [b.op('Relu', [x], {}, 'r1')], {}, 'r2');
  const a = b.op('Abs', [r2], {}, 'abs');
  b.output(b.op('Relu', [b.op('Relu', [b.op('Relu', [a], {}, 'r3')], {}, 'r4')], {}, 'r5'));
  const { r, lists, declined, small } = partitionToy(b.graph, { minSubgraphSize: 2 });
  assert.deepEqual(lists, [['r1', 'r2'], ['r3', 'r4', 'r5']]);
  assert.deepEqual(declined, ['abs']);
  assert.equal(r.declined[0]!.reason, 'op Abs is not supported by the toy engine');
  assert.deepEqual(small, []);
  assert.deepEqual(r.subgraphs.map((s) => [s.inputs, s.outputs]), [[['x'], ['r2']], [['abs'], ['r5']]]);
  assert.deepEqual(r.subgraphs[1]!.ops, { Relu: 3 });
});

test('the default minimum size (3) leaves a 2-node cluster to the framework and says why', () => {
  assert.equal(DEFAULT_MIN_SUBGRAPH_SIZE, 3);
  const { b, x } = builder();
  const a = b.op('Abs', [b.op('Relu', [b.op('Relu', [x], {}, 'r1')], {}, 'r2')], {}, 'abs');
  b.output(b.op('Relu', [b.op('Relu', [b.op('Relu', [a], {}, 'r3')], {}, 'r4')], {}, 'r5'));
  const { r, lists, small } = partitionToy(b.graph);
  assert.equal(r.minSubgraphSize, 3);
  assert.deepEqual(lists, [['r3', 'r4', 'r5']]);
  assert.deepEqual(small, [['r1', 'r2']]);
  assert.match(r.tooSmall[0]!.reason, /2 nodes is below the minimum subgraph size 3/);
  // min size 1 hands every supported node to the engine
  assert.deepEqual(partitionToy(b.graph, { minSubgraphSize: 1 }).lists, [['r1', 'r2'], ['r3', 'r4', 'r5']]);
  assert.deepEqual(partitionToy(b.graph, { minSubgraphSize: 4 }).lists, []);
});

test('a supported diamond becomes one subgraph', () => {
  const { b, x } = builder();
  const r1 = b.op('Relu', [x], {}, 'r1');
  const add = b.op('Add', [b.op('Relu', [r1], {}, 'left'), b.op('Mul', [r1, r1], {}, 'right')], {}, 'add');
  b.output(add);
  const { r, lists } = partitionToy(b.graph, { minSubgraphSize: 1 });
  assert.deepEqual(lists, [['r1', 'left', 'right', 'add']]);
  assert.deepEqual(r.subgraphs[0]!.inputs, ['x']);
  assert.deepEqual(r.subgraphs[0]!.outputs, ['add']);
  assert.equal(r.boundaryTensors, 2);
});

test('cycle trap: supported A → unsupported B → supported C with A → C: A and C are not merged', () => {
  const { b, x } = builder();
  const A = b.op('Relu', [x], {}, 'A');
  const B = b.op('Abs', [A], {}, 'B');
  b.output(b.op('Add', [A, B], {}, 'C'));
  const { r, lists, declined } = partitionToy(b.graph, { minSubgraphSize: 1 });
  assert.deepEqual(lists, [['A'], ['C']]);
  assert.deepEqual(declined, ['B']);
  assert.deepEqual(r.subgraphs.map((s) => [s.inputs, s.outputs]), [[['x'], ['A']], [['A', 'B'], ['C']]]);
  assert.deepEqual(reentrantSubgraphs(b.graph, r.subgraphs), []);
});

test('cycle trap in a diamond: the supported branch joins the head, the join node stays apart', () => {
  const { b, x } = builder();
  const r1 = b.op('Relu', [x], {}, 'r1');
  const left = b.op('Relu', [r1], {}, 'left');
  const right = b.op('Neg', [r1], {}, 'right');
  b.output(b.op('Relu', [b.op('Add', [left, right], {}, 'join')], {}, 'tail'));
  const { lists, declined } = partitionToy(b.graph, { minSubgraphSize: 1 });
  // join may not merge with {r1, left}: r1 → right (framework) → join would re-enter
  assert.deepEqual(lists, [['r1', 'left'], ['join', 'tail']]);
  assert.deepEqual(declined, ['right']);
});

test('a longer trap through two framework nodes and a second cluster', () => {
  const { b, x } = builder();
  const A = b.op('Relu', [x], {}, 'A');
  const f1 = b.op('Abs', [A], {}, 'f1');
  const mid = b.op('Relu', [f1], {}, 'mid'); // its own cluster, between two framework nodes
  const f2 = b.op('Neg', [mid], {}, 'f2');
  b.output(b.op('Add', [A, f2], {}, 'C'));
  const { r, lists } = partitionToy(b.graph, { minSubgraphSize: 1 });
  assert.deepEqual(lists, [['A'], ['mid'], ['C']]);
  assert.deepEqual(reentrantSubgraphs(b.graph, r.subgraphs), []);
});

test('multi-output nodes: outputs read outside become subgraph outputs, the others stay inside', () => {
  const { b, x } = builder([1, 4]);
  const [s0, s1] = b.ops('Split', [x], { axis: 1, num_outputs: 2 }, 2, 'split');
  const r0 = b.op('Relu', [s0!], {}, 'r0');
  const n1 = b.op('Neg', [s1!], {}, 'n1'); // the framework reads split's second output
  b.output(b.op('Add', [b.op('Relu', [r0], {}, 'r00'), b.op('Relu', [n1], {}, 'r1')], {}, 'add'));
  const { r, lists } = partitionToy(b.graph, { minSubgraphSize: 1 });
  // add may not join {split, r0, r00}: split → n1 (framework) → r1 → add would re-enter
  assert.deepEqual(lists, [['split', 'r0', 'r00'], ['r1', 'add']]);
  assert.deepEqual(r.subgraphs[0]!.outputs, ['split_out1', 'r00']);
  assert.deepEqual(r.subgraphs[1]!.inputs, ['n1', 'r00']);
});

test('a multi-output node whose outputs all stay inside', () => {
  const { b, x } = builder([1, 4]);
  const [s0, s1] = b.ops('Split', [x], { axis: 1, num_outputs: 2 }, 2, 'split');
  b.output(b.op('Mul', [b.op('Relu', [s0!], {}, 'r0'), b.op('Relu', [s1!], {}, 'r1')], {}, 'mul'));
  const { r, lists } = partitionToy(b.graph);
  assert.deepEqual(lists, [['split', 'r0', 'r1', 'mul']]);
  assert.deepEqual(r.subgraphs[0]!.outputs, ['mul']);
});

test('graph outputs inside a cluster are subgraph outputs even without outside readers', () => {
  const { b, x } = builder();
  const r1 = b.op('Relu', [x], {}, 'r1');
  const r3 = b.op('Relu', [b.op('Relu', [r1], {}, 'r2')], {}, 'r3');
  b.output(r1);
  b.output(r3);
  const { r, lists } = partitionToy(b.graph);
  assert.deepEqual(lists, [['r1', 'r2', 'r3']]);
  assert.deepEqual(r.subgraphs[0]!.outputs, ['r1', 'r3']);
});

test('independent clusters are not merged (no edge between them)', () => {
  const { b, x } = builder();
  const a = b.op('Abs', [x], {}, 'abs');
  b.output(b.op('Relu', [b.op('Relu', [b.op('Relu', [a], {}, 'p1')], {}, 'p2')], {}, 'p3'));
  b.output(b.op('Relu', [b.op('Relu', [b.op('Relu', [a], {}, 'q1')], {}, 'q2')], {}, 'q3'));
  assert.deepEqual(partitionToy(b.graph).lists, [['p1', 'p2', 'p3'], ['q1', 'q2', 'q3']]);
});

test('excludeOps and excludeNodes force nodes to the framework, with the reason', () => {
  const { b, x } = builder();
  const r2 = b.op('Relu', [b.op('Relu', [x], {}, 'r1')], {}, 'r2');
  const add = b.op('Add', [r2, x], {}, 'add');
  b.output(b.op('Relu', [b.op('Relu', [add], {}, 'r3')], {}, 'r4'));
  assert.deepEqual(partitionToy(b.graph).lists, [['r1', 'r2', 'add', 'r3', 'r4']]);

  const byOp = partitionToy(b.graph, { excludeOps: ['Add'], minSubgraphSize: 1 });
  assert.deepEqual(byOp.lists, [['r1', 'r2'], ['r3', 'r4']]);
  assert.deepEqual(byOp.r.declined, [{ node: 'add', op: 'Add', reason: 'op Add excluded by the user (excludeOps)' }]);

  const byNode = partitionToy(b.graph, { excludeNodes: ['r2', 'r3'], minSubgraphSize: 1 });
  assert.deepEqual(byNode.lists, [['r1'], ['add'], ['r4']]);
  assert.deepEqual(byNode.r.declined.map((d) => [d.node, d.reason]), [['r2', 'excluded by the user (excludeNodes)'], ['r3', 'excluded by the user (excludeNodes)']]);
});

test('deterministic: the same graph gives the same result, and a random DAG partitions cycle-safe', () => {
  // a seeded random DAG of 120 nodes, 1/3 unsupported, each reading 1–2 earlier values
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const b = new GraphBuilder('random');
  const values = [b.input('x', 'float32', [1, 4])];
  for (let i = 0; i < 120; i++) {
    const pick = () => values[Math.floor(rand() * values.length)]!;
    const unsupported = rand() < 1 / 3;
    const name = `n${i}`;
    values.push(unsupported ? b.op(rand() < 0.5 ? 'Abs' : 'Neg', [pick()], {}, name) : rand() < 0.5 ? b.op('Relu', [pick()], {}, name) : b.op('Add', [pick(), pick()], {}, name));
  }
  b.output(values[values.length - 1]!);
  const first = partitionToy(b.graph, { minSubgraphSize: 1 }).r;
  const again = partitionToy(b.graph, { minSubgraphSize: 1 }).r;
  assert.deepEqual(again, first);
  assert.deepEqual(reentrantSubgraphs(b.graph, first.subgraphs), []);
  // every node is in exactly one place: a subgraph or declined
  const placed = [...first.subgraphs.flatMap((s) => s.nodes), ...first.declined.map((d) => d.node)].sort();
  assert.deepEqual(placed, b.graph.nodes.map((n) => n.name).sort());
  assert.ok(first.subgraphs.some((s) => s.nodes.length > 1), 'some clusters merge');
});

test('bad options are UsageErrors that say what to do', () => {
  const { b, x } = builder();
  b.output(b.op('Relu', [x], {}, 'r1'));
  const types = typesOf(b.graph);
  const run = (o: object) => () => partitionGraph(b.graph, types, { supports: TOY, backend: 'toy', ...o });
  assert.throws(run({ minSubgraphSize: 0 }), (e) => e instanceof UsageError && /minimum subgraph size must be an integer ≥ 1, got 0/.test(e.message));
  assert.throws(run({ minSubgraphSize: 2.5 }), UsageError);
  assert.throws(run({ excludeOps: ['Relu', 'NotAnOp'] }), (e) => e instanceof UsageError && /unknown op name 'NotAnOp'/.test(e.message));
  assert.throws(run({ excludeOps: ['relu'] }), UsageError, 'op names are case-sensitive');
  assert.throws(run({ excludeNodes: ['nope'] }), (e) => e instanceof UsageError && /no node named 'nope'/.test(e.message));
  b.graph.nodes[0]!.name = '';
  assert.throws(run({}), (e) => e instanceof GraphError && /a node has no name/.test(e.message), 'nodes are listed by name');
  assert.throws(() => backendSupport('cuda'), (e) => e instanceof UsageError && /unknown partition backend 'cuda'/.test(e.message) && /webgpu/.test(e.message));
});
