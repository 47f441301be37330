import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { findMxnetFiles, loadMxnetCheckpoint, saveMxnetCheckpoint } from '../../src/node/mxnet-files.js';
import { createSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { FIXTURES, SKIP } from './fixtures.js';

const MNIST = `${FIXTURES}aws__sagemaker-mxnet-inference-toolkit/mnist/model`;

test('a checkpoint loads from its prefix: the highest epoch, NAME-shapes.json for input shapes', { skip: SKIP }, async () => {
  const loaded = loadMxnetCheckpoint(MNIST);
  assert.equal(loaded.files.params, `${MNIST}-0000.params`);
  assert.equal(loaded.files.shapes, `${MNIST}-shapes.json`);
  assert.deepEqual(loaded.graph.inputs.map((v) => [v.name, v.shape]), [['data', [100, 1, 28, 28]]]);
  assert.deepEqual(loaded.graph.outputs.map((v) => v.shape), [[100, 10]]);
});

test('--epoch picks NAME-EPOCH.params; a missing epoch or an oddly named symbol is a UsageError', { skip: SKIP }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnrt-mx-'));
  try {
    for (const e of ['0001', '0012']) copyFileSync(`${MNIST}-0000.params`, join(dir, `m-${e}.params`));
    copyFileSync(`${MNIST}-symbol.json`, join(dir, 'm-symbol.json'));
    assert.equal(findMxnetFiles(join(dir, 'm')).params, join(dir, 'm-0012.params'));
    assert.equal(findMxnetFiles(join(dir, 'm-symbol.json'), { epoch: 1 }).params, join(dir, 'm-0001.params'));
    assert.throws(() => loadMxnetCheckpoint(join(dir, 'm'), { epoch: 7, inputShapes: { data: [1, 784] } }), (e: Error) => e instanceof UsageError && /m-0007\.params/.test(e.message));
    copyFileSync(`${MNIST}-symbol.json`, join(dir, 'odd.json'));
    assert.throws(() => findMxnetFiles(join(dir, 'odd.json')), UsageError);
    assert.equal(findMxnetFiles(join(dir, 'odd.json'), { params: join(dir, 'm-0001.params') }).params, join(dir, 'm-0001.params'));
    assert.throws(() => findMxnetFiles(join(dir, 'nothing')), UsageError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('saveMxnetCheckpoint writes files that load back to the same outputs', { skip: SKIP }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnrt-mx-'));
  try {
    const { graph } = loadMxnetCheckpoint(MNIST, { inputShapes: { data: [2, 1, 28, 28] } });
    const files = saveMxnetCheckpoint(join(dir, 'copy'), 3, graph);
    assert.equal(files.params, join(dir, 'copy-0003.params'));
    assert.ok(readFileSync(files.symbol, 'utf8').includes('"mxnet_version": ["int", 10901]'));
    const again = loadMxnetCheckpoint(join(dir, 'copy'));
    const x = Tensor.fromArray([2, 1, 28, 28], Array.from({ length: 1568 }, (_, i) => (i % 17) / 17));
    const a = await (await createSession(graph)).run({ data: x });
    const b = await (await createSession(again.graph)).run({ data: x });
    assert.deepEqual(Object.values(b)[0]!.data, Object.values(a)[0]!.data);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
