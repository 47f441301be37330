// The partition-and-retry loop both engine sessions share (src/runtime/partition-and-build.ts): a
// build that fails sends its nodes back to the framework and the graph is partitioned again, with
// the same result whether the builds are synchronous (CPU engine) or asynchronous (WebGPU engine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineRefusalError } from '../../src/engine/refusal.js';
import { ExecutionError, UsageError } from '../../src/errors.js';
import type { Graph } from '../../src/ir/graph.js';
import type { EngineNode } from '../../src/partition/index.js';
import { driveAsync, driveSync, partitionAndBuild, type NodeBuild } from '../../src/runtime/partition-and-build.js';
import { builder, TOY, typesOf } from './helpers.js';

/** x → r1 → a1 → m1 → abs (declined by the toy backend) → r2 → a2 → m2: two engines of three nodes. */
function twoChains(): Graph {
  const { b, x } = builder();
  const one = b.op('Identity', [x], {}, 'one');
  const m1 = b.op('Mul', [b.op('Add', [b.op('Relu', [one], {}, 'r1'), x], {}, 'a1'), x], {}, 'm1');
  const cut = b.op('Abs', [m1], {}, 'abs');
  b.output(b.op('Mul', [b.op('Add', [b.op('Relu', [cut], {}, 'r2'), cut], {}, 'a2'), cut], {}, 'm2'));
  return b.graph;
}

const members = (node: EngineNode) => node.subgraph.nodes.map((n) => n.name);

function steps(g: Graph, warnings: string[] = []) {
  return partitionAndBuild<string>(g, typesOf(g), {
    partition: { supports: TOY, backend: 'toy', minSubgraphSize: 3 }, verify: () => undefined, label: 'toy engine', warn: (l) => warnings.push(l),
  });
}

test('builds that succeed: one partition, a record per engine node, no fallbacks', () => {
  const g = twoChains();
  const built: string[][] = [];
  const p = driveSync(steps(g), ({ node }) => {
    built.push(members(node));
    return { record: `plan of ${node.name}` };
  });
  assert.deepEqual(built, [['one', 'r1', 'a1', 'm1'], ['r2', 'a2', 'm2']]);
  assert.equal(p.records.size, 2);
  assert.deepEqual([...p.records.values()], p.applied.engineNodes.map((n) => `plan of ${n.name}`));
  assert.deepEqual(p.partition.fallbacks, []);
});

test('a failed build sends its whole subgraph to the framework and partitions again (sync and async alike)', async () => {
  const g = twoChains();
  const fail = (node: EngineNode) => {
    if (members(node).includes('r2')) throw new ExecutionError('out of device memory');
    return { record: node.name };
  };
  const warnSync: string[] = [];
  const warnAsync: string[] = [];
  const sync = driveSync(steps(g, warnSync), ({ node }) => fail(node));
  const async = await driveAsync(steps(g, warnAsync), async ({ node }) => fail(node));
  for (const [p, warnings] of [[sync, warnSync], [async, warnAsync]] as const) {
    assert.deepEqual(p.partition.subgraphs.map((s) => s.nodes), [['one', 'r1', 'a1', 'm1']]);
    assert.deepEqual(p.partition.fallbacks, [{ nodes: ['r2', 'a2', 'm2'], reason: 'out of device memory', action: 'framework' }]);
    for (const n of ['r2', 'a2', 'm2']) assert.match(p.partition.declined.find((d) => d.node === n)?.reason ?? '', /the toy engine build failed: out of device memory/);
    assert.equal(p.records.size, 1);
    assert.deepEqual(warnings, ['toy engine build for 3 nodes failed (out of device memory); they run in the framework']);
  }
});

test('a refusal naming nodes sends back only those nodes; what is left under the minimum size stays in the framework', () => {
  const g = twoChains();
  const p = driveSync(steps(g), ({ node }) => {
    if (members(node).includes('a2')) throw new EngineRefusalError({ nodes: ['a2'], reason: 'no tactic for a2', remedy: 'framework' });
    return { record: node.name };
  });
  assert.deepEqual(p.partition.subgraphs.map((s) => s.nodes), [['one', 'r1', 'a1', 'm1']]);
  assert.deepEqual(p.partition.fallbacks, [{ nodes: ['a2'], reason: 'no tactic for a2', action: 'framework' }]);
  assert.deepEqual(p.partition.tooSmall.map((c) => c.nodes).sort(), [['m2'], ['r2']]);
});

test('a declined build (the engine cannot follow the profile) falls back without a build failure notice', async () => {
  const g = twoChains();
  const warnings: string[] = [];
  const p = await driveAsync(steps(g, warnings), async ({ node }): Promise<NodeBuild<string>> => {
    if (members(node).includes('r1')) return { decline: { nodes: ['one', 'r1', 'a1', 'm1'], reason: 'a shape it cannot compute', failedAs: 'cannot follow: a shape it cannot compute' } };
    return { record: node.name };
  });
  assert.deepEqual(p.partition.subgraphs.map((s) => s.nodes), [['r2', 'a2', 'm2']]);
  assert.deepEqual(p.partition.fallbacks, [{ nodes: ['one', 'r1', 'a1', 'm1'], reason: 'a shape it cannot compute', action: 'framework' }]);
  assert.deepEqual(warnings, []);
});

test('usage errors and errors that are not nnrt errors are not caught: they reach the caller', async () => {
  const g = twoChains();
  assert.throws(() => driveSync(steps(g), () => { throw new UsageError('bad option'); }), UsageError);
  assert.throws(() => driveSync(steps(g), () => { throw new TypeError('a bug'); }), TypeError);
  await assert.rejects(driveAsync(steps(g), async () => { throw new UsageError('bad option'); }), UsageError);
});
