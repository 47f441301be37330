import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planMemory, type LiveValue } from '../../src/engine/memory-plan.js';
import { GraphError } from '../../src/errors.js';
import { mulberry32 } from '../../src/tensor/random.js';

/**
 * Independent check of a plan by brute force: every pair of values live at a common step must
 * occupy disjoint byte ranges (each value's size rounded up to 4, as the GPU binds it), every
 * offset is aligned, and every value lies inside the arena.
 */
function assertValidPlan(values: LiveValue[], plan: ReturnType<typeof planMemory>, alignment: number): void {
  assert.equal(plan.offsets.size, values.length);
  const size = (v: LiveValue) => Math.max(4, Math.ceil(v.bytes / 4) * 4);
  for (const v of values) {
    const o = plan.offsets.get(v.id);
    assert.ok(o !== undefined, `${v.id} has an offset`);
    assert.equal(o % alignment, 0, `${v.id} offset ${o} aligned to ${alignment}`);
    assert.ok(o + size(v) <= plan.arenaBytes, `${v.id} inside the arena`);
  }
  for (let i = 0; i < values.length; i++) {
    for (let j = i + 1; j < values.length; j++) {
      const a = values[i]!;
      const b = values[j]!;
      let sameStep = false;
      for (let t = a.first; t <= a.last; t++) if (t >= b.first && t <= b.last) sameStep = true;
      if (!sameStep) continue;
      const oa = plan.offsets.get(a.id)!;
      const ob = plan.offsets.get(b.id)!;
      const disjoint = oa + size(a) <= ob || ob + size(b) <= oa;
      assert.ok(disjoint, `${a.id} [${oa}, +${size(a)}) and ${b.id} [${ob}, +${size(b)}) are both live at a step`);
    }
  }
}

test('a chain of layers reuses memory: a and c never live together', () => {
  // a feeds layer 1 (makes b), b feeds layer 2 (makes c): a is live [0,1], b [1,2], c [2,3]
  const values = [
    { id: 'a', bytes: 1000, first: 0, last: 1 },
    { id: 'b', bytes: 1000, first: 1, last: 2 },
    { id: 'c', bytes: 1000, first: 2, last: 3 },
  ];
  const plan = planMemory(values, 256);
  assertValidPlan(values, plan, 256);
  // 1000 bytes take a 1024-byte aligned slot; two slots suffice, three without reuse
  assert.equal(plan.arenaBytes, 2048);
  assert.equal(plan.naiveBytes, 3072);
  assert.equal(plan.offsets.get('a'), plan.offsets.get('c'));
});

test('values all live at once need the sum of their aligned sizes', () => {
  const values = [
    { id: 'x', bytes: 10, first: 0, last: 5 },
    { id: 'y', bytes: 300, first: 0, last: 5 },
    { id: 'z', bytes: 256, first: 2, last: 3 },
  ];
  const plan = planMemory(values, 256);
  assertValidPlan(values, plan, 256);
  // slots: 10 → 256, 300 → 512, 256 → 256
  assert.equal(plan.naiveBytes, 1024);
  assert.equal(plan.arenaBytes, 1024);
});

test('alignment is respected and odd sizes are bound as multiples of 4', () => {
  const values = [
    { id: 'p', bytes: 1, first: 0, last: 0 },
    { id: 'q', bytes: 5, first: 0, last: 0 },
    { id: 'r', bytes: 0, first: 0, last: 0 },
  ];
  for (const alignment of [4, 32, 256]) {
    const plan = planMemory(values, alignment);
    assertValidPlan(values, plan, alignment);
    const slot = (n: number) => Math.ceil(Math.max(4, Math.ceil(n / 4) * 4) / alignment) * alignment;
    assert.equal(plan.naiveBytes, slot(1) + slot(5) + slot(0));
  }
  // with alignment 4: sizes 4, 8, 4 all live → 16 bytes
  assert.equal(planMemory(values, 4).arenaBytes, 16);
});

test('the plan does not depend on the order values are given in', () => {
  const rand = mulberry32(7);
  const values: LiveValue[] = Array.from({ length: 30 }, (_, i) => {
    const first = Math.floor(rand() * 20);
    return { id: `v${i}`, bytes: 256 * (1 + Math.floor(rand() * 4)), first, last: first + Math.floor(rand() * 5) };
  });
  const a = planMemory(values, 256);
  const b = planMemory([...values].reverse(), 256);
  assert.deepEqual([...a.offsets].sort(), [...b.offsets].sort());
  assert.equal(a.arenaBytes, b.arenaBytes);
});

test('random value sets: never overlapping while live, within the naive size and above the peak', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const rand = mulberry32(seed);
    const n = 1 + Math.floor(rand() * 40);
    const steps = 1 + Math.floor(rand() * 30);
    const alignment = [4, 64, 256][seed % 3]!;
    const values: LiveValue[] = Array.from({ length: n }, (_, i) => {
      const first = Math.floor(rand() * steps);
      const last = first + Math.floor(rand() * (steps - first));
      // sizes from tiny to several alignment units, some not multiples of 4
      return { id: `t${i}`, bytes: Math.floor(rand() * 3000), first, last };
    });
    const plan = planMemory(values, alignment);
    assertValidPlan(values, plan, alignment);
    assert.ok(plan.arenaBytes <= plan.naiveBytes, `seed ${seed}: arena ${plan.arenaBytes} ≤ naive ${plan.naiveBytes}`);
    // lower bound: at the busiest step all live values need their own bytes
    let peak = 0;
    for (let t = 0; t < steps; t++) {
      let live = 0;
      for (const v of values) if (v.first <= t && t <= v.last) live += Math.max(4, Math.ceil(v.bytes / 4) * 4);
      peak = Math.max(peak, live);
    }
    assert.ok(plan.arenaBytes >= peak, `seed ${seed}: arena ${plan.arenaBytes} ≥ peak ${peak}`);
  }
});

test('bad input is refused with a typed error', () => {
  assert.throws(() => planMemory([{ id: 'a', bytes: 4, first: 3, last: 1 }], 256), GraphError);
  assert.throws(
    () => planMemory([{ id: 'a', bytes: 4, first: 0, last: 0 }, { id: 'a', bytes: 8, first: 0, last: 0 }], 256),
    (e: unknown) => e instanceof GraphError && /duplicate/.test(e.message) && /at a/.test(e.message),
  );
  assert.throws(() => planMemory([{ id: 'a', bytes: -1, first: 0, last: 0 }], 256), GraphError);
  assert.throws(() => planMemory([], 0), GraphError);
  assert.deepEqual(planMemory([], 256), { offsets: new Map(), arenaBytes: 0, naiveBytes: 0 });
});

test('the overlap checker itself catches a plan that puts live values together', () => {
  const values = [
    { id: 'a', bytes: 8, first: 0, last: 2 },
    { id: 'b', bytes: 8, first: 2, last: 3 },
  ];
  const bad = { offsets: new Map([['a', 0], ['b', 4]]), arenaBytes: 16, naiveBytes: 16 };
  assert.throws(() => assertValidPlan(values, bad, 4), /both live/);
});
