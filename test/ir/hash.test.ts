import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fnv1a64, hashGraph } from '../../src/ir/hash.js';
import { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/tensor/tensor.js';

// Published FNV-1a 64 test vectors (Fowler/Noll/Vo reference test suite).
test('fnv1a64 matches the published test vectors', () => {
  const enc = new TextEncoder();
  assert.equal(fnv1a64(enc.encode('')), 'cbf29ce484222325');
  assert.equal(fnv1a64(enc.encode('a')), 'af63dc4c8601ec8c');
  assert.equal(fnv1a64(enc.encode('foobar')), '85944171f73967e8');
});

function tiny(names: { x: string; w: string; y: string; node: string }, w = 0.5) {
  return new Graph({
    nodes: [{ name: names.node, opType: 'Mul', domain: '', inputs: [names.x, names.w], outputs: [names.y], attrs: {} }],
    inputs: [{ name: names.x, dtype: 'float32', shape: [2, 3] }],
    outputs: [{ name: names.y }],
    initializers: new Map([[names.w, new Tensor('float32', [100], new Float32Array(100).fill(w))]]),
  });
}

test('graph hash ignores names, sees structure, shapes and (optionally) weights', () => {
  const a = tiny({ x: 'x', w: 'w', y: 'y', node: 'n' });
  const b = tiny({ x: 'input', w: 'weight', y: 'out', node: 'mul0' });
  assert.equal(hashGraph(a), hashGraph(b));
  const c = tiny({ x: 'x', w: 'w', y: 'y', node: 'n' }, 0.25);
  assert.equal(hashGraph(a), hashGraph(c), 'weights excluded by default');
  assert.notEqual(hashGraph(a, { weights: true }), hashGraph(c, { weights: true }));
  const d = tiny({ x: 'x', w: 'w', y: 'y', node: 'n' });
  d.inputs[0]!.shape = [2, 4];
  assert.notEqual(hashGraph(a), hashGraph(d));
  const e = tiny({ x: 'x', w: 'w', y: 'y', node: 'n' });
  e.nodes[0]!.opType = 'Add';
  assert.notEqual(hashGraph(a), hashGraph(e));
});

test('graph hash with weights sees every byte: whole words, an odd tail, a view at an unaligned offset', () => {
  const withWeight = (w: Tensor) => new Graph({
    nodes: [{ name: 'n', opType: 'Add', domain: '', inputs: ['x', 'w'], outputs: ['y'], attrs: {} }],
    inputs: [{ name: 'x', dtype: 'uint8', shape: [67] }],
    outputs: [{ name: 'y' }],
    initializers: new Map([['w', w]]),
  });
  const backing = new Uint8Array(68).map((_, i) => i);
  const base = new Uint8Array(backing.buffer, 1, 67); // byteOffset 1: not a whole-word view
  const hashOf = (bytes: Uint8Array) => hashGraph(withWeight(new Tensor('uint8', [67], bytes)), { weights: true });
  const ref = hashOf(base);
  assert.equal(hashOf(Uint8Array.from(base)), ref, 'the same bytes hash alike at any offset');
  for (const k of [0, 3, 4, 33, 64, 66]) {
    const changed = Uint8Array.from(base);
    changed[k] ^= 1;
    assert.notEqual(hashOf(changed), ref, `byte ${k}`);
  }
});
