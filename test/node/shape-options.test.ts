// `--shape NAME=DIMS` takes dims comma- or x-separated (as the profile flags write them), and says
// what it expects when a spec is malformed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/errors.js';
import { parseShapeOptions } from '../../src/node/load-model.js';

test('--shape accepts NAME=1,3,224,224 and NAME=1x3x224x224', () => {
  assert.deepEqual(parseShapeOptions(['data=1,3,224,224', 'input_ids=1x16']), { data: [1, 3, 224, 224], input_ids: [1, 16] });
  assert.deepEqual(parseShapeOptions(['x=7']), { x: [7] });
});

test('a malformed --shape is a usage error naming the spec', () => {
  for (const bad of ['data', 'data=', 'data=1x3,224', 'data=1,,3', 'data=a,b']) {
    assert.throws(() => parseShapeOptions([bad]), (e: unknown) => e instanceof UsageError && e.message.includes(`--shape '${bad}'`) && /NAME=1,3,224,224 \(or NAME=1x3x224x224\)/.test(e.message), bad);
  }
});
