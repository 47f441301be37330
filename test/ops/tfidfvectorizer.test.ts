// TfIdfVectorizer: the ONNX backend node tests (TF mode, int inputs), and onnxruntime-node for the
// IDF and TFIDF modes, weights, trigrams, int32 tokens and 1-D input that the fixtures miss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ShapeError, UnsupportedError } from '../../src/errors.js';
import { runConformanceCase } from '../../src/node/backend-test.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, runNnrt, runOrt, type AttrSpec } from '../helpers/ort-reference.js';

const FULL = new URL('../../../shared/fixtures/onnx-node-full/', import.meta.url).pathname;
const folders = existsSync(FULL) ? readdirSync(FULL).filter((d) => d.startsWith('test_tfidfvectorizer_')).sort() : [];

if (folders.length === 0) test('TfIdfVectorizer backend node tests', { skip: `${FULL} is absent` }, () => {});
for (const name of folders) {
  test(`conformance ${name}`, async () => {
    const r = await runConformanceCase(join(FULL, name), { device: 'cpu' }, undefined);
    assert.equal(r.status, 'pass', r.reason);
  });
}

// pool: 1-grams 2, 3, 5, 4; 2-grams (5,6) (7,8) (6,7); 3-grams (2,3,5) (7,8,7)
const POOL = { pool_int64s: [2, 3, 5, 4, 5, 6, 7, 8, 6, 7, 2, 3, 5, 7, 8, 7], ngram_counts: [0, 4, 10], ngram_indexes: [0, 1, 2, 3, 4, 5, 6, 7, 8] };
const TOKENS = [2, 3, 5, 4, 5, 6, 7, 8, 7, 6, 7, 2, 3, 5, 7, 8, 7, 5];

function model(attrs: Record<string, AttrSpec>, x: Tensor) {
  return oneNodeModel({ op: 'TfIdfVectorizer', opset: 9, attrs, inputs: { x }, inputOrder: ['x'], outputs: ['y'] });
}

async function expectSameAsOrt(attrs: Record<string, AttrSpec>, x: Tensor): Promise<void> {
  const m = model(attrs, x);
  const want = (await runOrt(m, { x })).y!;
  const got = (await runNnrt(m, { x })).y!;
  const c = compareTensors(got, want, { atol: 1e-6, rtol: 1e-6 });
  assert.ok(c.pass, `${JSON.stringify(attrs)}: ${JSON.stringify(c)} got ${got.toNumbers()} want ${want.toNumbers()}`);
}

test('TF, IDF and TFIDF with and without weights, sizes 1..3 and skips, match onnxruntime', async () => {
  const x = Tensor.fromNumeric('int64', [2, 9], TOKENS);
  const weights = { floats: [0.5, 1.5, 2, 0.25, 3, 1, 0.75, 2.5, 4] };
  for (const mode of ['TF', 'IDF', 'TFIDF']) {
    for (const [min, max, skip] of [[1, 1, 0], [1, 3, 2], [2, 3, 0], [2, 2, 3], [3, 3, 1]] as const) {
      const attrs = { ...POOL, mode, min_gram_length: min, max_gram_length: max, max_skip_count: skip };
      await expectSameAsOrt(attrs, x);
      if (mode !== 'TF') await expectSameAsOrt({ ...attrs, weights }, x);
    }
  }
});

test('int32 tokens and a 1-D input (output [width]) match onnxruntime', async () => {
  const attrs = { ...POOL, mode: 'TF', min_gram_length: 1, max_gram_length: 2, max_skip_count: 4 };
  await expectSameAsOrt(attrs, Tensor.fromNumeric('int32', [TOKENS.length], TOKENS));
  await expectSameAsOrt(attrs, Tensor.fromNumeric('int32', [3, 6], TOKENS));
});

test('bad attributes give typed errors', async () => {
  const x = Tensor.fromNumeric('int64', [4], [1, 2, 3, 4]);
  const bad = (attrs: Record<string, AttrSpec>) => runNnrt(model({ mode: 'TF', min_gram_length: 1, max_gram_length: 2, max_skip_count: 0, ...attrs }, x), { x });
  await assert.rejects(bad({ pool_int64s: [1, 2, 3], ngram_counts: [0, 2], ngram_indexes: [0, 1, 2] }), (e: unknown) => e instanceof ShapeError && /whole 2-grams/.test((e as Error).message));
  await assert.rejects(bad({ pool_strings: ['a'], ngram_counts: [0], ngram_indexes: [0] }), UnsupportedError);
  await assert.rejects(bad({ pool_int64s: [1], ngram_counts: [0], ngram_indexes: [0], min_gram_length: 3 }), ShapeError);
});
