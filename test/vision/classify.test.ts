// ImageNet class names (count, order at well-known indices) and the scoring helpers, with
// hand-worked values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classProbabilities, isProbabilityRow, softmax, topK } from '../../src/vision/classify.js';
import { IMAGENET_CLASSES } from '../../src/vision/imagenet-labels.js';

test('ImageNet-1k names: 1000, distinct, in the standard class order', () => {
  assert.equal(IMAGENET_CLASSES.length, 1000);
  assert.equal(new Set(IMAGENET_CLASSES).size, 1000);
  const known: [number, RegExp][] = [
    [0, /^tench$/], [1, /^goldfish$/], [207, /^golden retriever$/], [281, /^tabby/], [282, /^tiger cat$/],
    [285, /^Egyptian cat$/], [340, /^zebra$/], [409, /^analog clock$/], [504, /^coffee mug$/],
    [817, /^sports car$/], [954, /^banana$/], [999, /^toilet tissue$/],
  ];
  for (const [i, name] of known) assert.match(IMAGENET_CLASSES[i]!, name, `class ${i}`);
});

test('softmax: hand-worked values, no overflow for large logits', () => {
  // e^0 : e^ln2 : e^ln5 = 1 : 2 : 5
  const p = softmax([0, Math.log(2), Math.log(5)]);
  [1 / 8, 2 / 8, 5 / 8].forEach((w, i) => assert.ok(Math.abs(p[i]! - w) < 1e-12));
  const big = softmax([1000, 1000]);
  assert.deepEqual([...big], [0.5, 0.5]);
});

test('topK: highest first, ties by lower index, labels attached', () => {
  assert.deepEqual(topK([0.1, 0.5, 0.2, 0.5], 3, ['a', 'b', 'c', 'd']), [
    { index: 1, probability: 0.5, label: 'b' },
    { index: 3, probability: 0.5, label: 'd' },
    { index: 2, probability: 0.2, label: 'c' },
  ]);
  assert.deepEqual(topK([3, 1], 5), [{ index: 0, probability: 3 }, { index: 1, probability: 1 }]);
});

test('rows that are already distributions are kept; anything else goes through softmax', () => {
  assert.equal(isProbabilityRow([0.25, 0.75]), true);
  assert.equal(isProbabilityRow([0.5, 0.6]), false); // sums to 1.1
  assert.equal(isProbabilityRow([1.5, -0.5]), false); // sums to 1 but outside [0, 1]
  const kept = classProbabilities([[0.25, 0.75], [1, 0]]);
  assert.equal(kept.source, 'probabilities');
  assert.deepEqual(kept.rows.map((r) => [...r as number[]]), [[0.25, 0.75], [1, 0]]);
  // one row of logits makes the whole batch logits
  const soft = classProbabilities([[0.25, 0.75], [0, Math.log(3)]]);
  assert.equal(soft.source, 'softmax');
  assert.ok(Math.abs(soft.rows[1]![1]! - 0.75) < 1e-12);
});
