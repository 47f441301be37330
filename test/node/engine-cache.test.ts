import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parsePlan, PLAN_FORMAT_VERSION, serializePlan, type EnginePlan } from '../../src/engine/plan-format.js';
import { UsageError } from '../../src/errors.js';
import { EngineCache, type EngineCacheKeyParts } from '../../src/node/engine-cache.js';

function tinyPlan(tag: string): EnginePlan {
  return {
    header: {
      format: 'nnrt-plan',
      formatVersion: PLAN_FORMAT_VERSION,
      nnrtVersion: '0.1.0',
      adapter: { vendor: 'mesa', architecture: 'llvmpipe', description: tag },
      precision: 'fp32',
      graphHash: 'feedfacecafebeef',
      inputs: [{ name: 'x', shape: [1, 4] }],
      outputs: [{ name: 'y', shape: [1, 4] }],
    },
    kernels: ['@compute @workgroup_size(4) fn main() {}'],
    dispatches: [{ kernel: 0, bindings: [{ buffer: 'arena', offset: 0, size: 16 }], workgroups: [1, 1, 1], layer: 0 }],
    layers: [{ name: 'Relu_0', kind: 'pointwise', from: ['Relu_0'], tactic: 'pointwise-vec4' }],
    arenaBytes: 512,
    naiveBytes: 512,
    io: { inputs: [{ name: 'x', offset: 0, bytes: 16 }], outputs: [{ name: 'y', offset: 256, bytes: 16 }] },
    constants: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]),
  };
}

const PARTS: EngineCacheKeyParts = {
  graphHash: 'feedfacecafebeef',
  inputShapes: { x: [1, 4], mask: [1] },
  dtypes: { x: 'float32', mask: 'int64' },
  precision: 'fp32',
  adapter: { vendor: 'mesa', architecture: 'llvmpipe', description: 'lavapipe' },
  nnrtVersion: '0.1.0',
};

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'nnrt-engine-cache-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('keys depend on every part, not on the order records were written in', () => {
  const cache = new EngineCache('/nowhere');
  const key = cache.keyFor(PARTS);
  assert.match(key, /^[0-9a-f]{16}$/);
  const reordered: EngineCacheKeyParts = {
    nnrtVersion: '0.1.0',
    adapter: { description: 'lavapipe', architecture: 'llvmpipe', vendor: 'mesa' },
    precision: 'fp32',
    dtypes: { mask: 'int64', x: 'float32' },
    inputShapes: { mask: [1], x: [1, 4] },
    graphHash: 'feedfacecafebeef',
  };
  assert.equal(cache.keyFor(reordered), key);
  const variants: Partial<EngineCacheKeyParts>[] = [
    { graphHash: 'feedfacecafebeee' },
    { inputShapes: { x: [2, 4], mask: [1] } },
    { dtypes: { x: 'float16', mask: 'int64' } },
    { precision: 'fp16' },
    { adapter: { vendor: 'nvidia', architecture: 'hopper', description: 'H200' } },
    { nnrtVersion: '0.1.1' },
  ];
  for (const v of variants) assert.notEqual(cache.keyFor({ ...PARTS, ...v }), key, JSON.stringify(v));
  assert.throws(() => cache.pathFor('../escape'), UsageError);
});

test('write then read round-trips a plan; the folder is created on demand', () => {
  withDir((root) => {
    const dir = join(root, 'a', 'b');
    const cache = new EngineCache(dir);
    const key = cache.keyFor(PARTS);
    assert.equal(cache.read(key), undefined);
    const bytes = serializePlan(tinyPlan('lavapipe'));
    cache.write(key, bytes);
    assert.deepEqual(readdirSync(dir), [`${key}.plan`], 'one file per key, no temp files left');
    const hit = cache.read(key);
    assert.ok(hit && 'bytes' in hit);
    assert.deepEqual(hit.bytes, bytes);
    assert.deepEqual(hit.plan, tinyPlan('lavapipe'));
    cache.remove(key);
    assert.equal(cache.read(key), undefined);
    cache.remove(key); // removing twice is fine
  });
});

test('a corrupt entry is reported and removed, so the caller rebuilds', () => {
  withDir((dir) => {
    const cache = new EngineCache(dir);
    const key = cache.keyFor(PARTS);
    const bytes = serializePlan(tinyPlan('lavapipe'));
    const damaged = bytes.slice();
    damaged[bytes.length >> 1]! ^= 0x01;
    writeFileSync(cache.pathFor(key), damaged);
    const r = cache.read(key);
    assert.ok(r && 'corrupt' in r);
    assert.match(r.corrupt, /removed: corrupt plan: checksum/);
    assert.equal(existsSync(cache.pathFor(key)), false);
    assert.equal(cache.read(key), undefined);

    writeFileSync(cache.pathFor(key), bytes.subarray(0, bytes.length - 20));
    const cut = cache.read(key);
    assert.ok(cut && 'corrupt' in cut);
    assert.match(cut.corrupt, /truncated plan/);
    assert.equal(existsSync(cache.pathFor(key)), false);
  });
});

test('two caches on one folder, and a second process, see each other’s entries', () => {
  withDir((dir) => {
    const a = new EngineCache(dir);
    const b = new EngineCache(dir);
    const key = a.keyFor(PARTS);
    a.write(key, serializePlan(tinyPlan('first')));
    const seen = b.read(key);
    assert.ok(seen && 'plan' in seen);
    assert.equal(seen.plan.header.adapter.description, 'first');
    b.write(key, serializePlan(tinyPlan('second'))); // replaces atomically
    const again = a.read(key);
    assert.ok(again && 'plan' in again);
    assert.equal(again.plan.header.adapter.description, 'second');

    // another Node process writes an entry under a new key; this one reads it
    const other = a.keyFor({ ...PARTS, precision: 'fp16' });
    const moduleUrl = pathToFileURL(join(process.cwd(), 'src/node/engine-cache.ts')).href;
    const planBytes = Buffer.from(serializePlan(tinyPlan('child'))).toString('base64');
    const script = `const { EngineCache } = await import(${JSON.stringify(moduleUrl)});
new EngineCache(${JSON.stringify(dir)}).write(${JSON.stringify(other)}, Buffer.from(${JSON.stringify(planBytes)}, 'base64'));`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const fromChild = a.read(other);
    assert.ok(fromChild && 'plan' in fromChild);
    assert.equal(fromChild.plan.header.adapter.description, 'child');
    assert.equal(parsePlan(new Uint8Array(readFileSync(a.pathFor(other)))).header.adapter.description, 'child');
  });
});
