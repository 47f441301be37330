// Path mistakes are found up front with typed errors (exit 2), before any long work, and leave
// nothing behind; a CLI whose reader goes away (`| head -1`) stops quietly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { writeFileAtomic } from '../../src/node/atomic-write.js';
import { EngineCache } from '../../src/node/engine-cache.js';
import { exportOnnx } from '../../src/onnx/export/model.js';
import '../../src/ops/index.js';
import { smallCnnModel } from '../helpers/small-model.js';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'nnrt-paths-'));
const model = join(dir, 'small.onnx');
writeFileSync(model, smallCnnModel());
const main = join(root, 'src/cli/main.ts');

function cli(...args: string[]) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8', cwd: root, timeout: 60_000 });
  return { code: r.status, err: r.stderr, ms: performance.now() - t0 };
}

function expectUsage(r: ReturnType<typeof cli>, re: RegExp) {
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^nnrt: UsageError: /);
  assert.match(r.err, re);
  assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
}

test('--cache-dir naming a file is refused before anything is built', () => {
  const file = join(dir, 'not-a-dir');
  writeFileSync(file, 'x');
  expectUsage(cli('build', model, '--cache-dir', file, '--quiet'), /--cache-dir '.*not-a-dir' is a file, not a folder/);
});

test('--timing-cache naming a directory is refused before the build', () => {
  const folder = join(dir, 'timing-dir');
  mkdirSync(folder);
  expectUsage(cli('build', model, '--timing-cache', folder, '--quiet'), /--timing-cache '.*timing-dir' is a directory, not a file/);
});

test('--max-memory that is not a size is refused', () => {
  const r = cli('run', model, '--max-memory', 'lots');
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /'lots' is not a size/);
});

test('an engine cache entry that is a directory is a UsageError on read; an atomic write over a directory leaves no temp file', () => {
  const cacheDir = join(dir, 'cache');
  mkdirSync(join(cacheDir, 'abc.plan'), { recursive: true });
  const cache = new EngineCache(cacheDir);
  assert.throws(() => cache.read('abc'), (e: unknown) => e instanceof UsageError && /engine cache entry .*abc\.plan' is a directory/.test(e.message));
  assert.throws(() => writeFileAtomic(join(cacheDir, 'abc.plan'), new Uint8Array(4)), UsageError);
  assert.deepEqual(readdirSync(cacheDir), ['abc.plan']);
  assert.throws(() => new EngineCache(model), (e: unknown) => e instanceof UsageError && /is a file, not a folder/.test(e.message));
});

test('`nnrt inspect MODEL | head -1` ends quietly (no EPIPE stack trace)', { skip: !existsSync('/bin/sh') }, () => {
  const b = new GraphBuilder('wide', 17);
  const x = b.input('x', 'float32', [1]);
  for (let i = 0; i < 5000; i++) b.output(b.op('Relu', [x])); // ~300 KB of output lines: more than a pipe holds
  const wide = join(dir, 'wide.onnx');
  writeFileSync(wide, exportOnnx(b.graph, { opset: 17 }));
  const r = spawnSync('/bin/sh', ['-c', `"${process.execPath}" --import tsx "${main}" inspect "${wide}" | head -1`], { encoding: 'utf8', cwd: root, timeout: 60_000 });
  assert.match(r.stdout, /^model\s+ONNX/);
  assert.doesNotMatch(r.stderr, /EPIPE|\n\s+at /, r.stderr);
});
