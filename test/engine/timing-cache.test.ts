import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, layerSignature, TimingCache } from '../../src/engine/timing-cache.js';
import { ParseError } from '../../src/errors.js';
import { fnv1a64 } from '../../src/ir/hash.js';
import { loadTimingCache, saveTimingCache } from '../../src/node/timing-cache-file.js';

const ID = { nnrtVersion: '0.1.0', adapter: { vendor: 'mesa', architecture: 'llvmpipe', description: 'lavapipe' } };

test('layerSignature: key order does not matter, any real difference does', () => {
  const conv = { kind: 'conv', input: [1, 64, 56, 56], weights: [64, 64, 3, 3], strides: [1, 1], format: { layout: 'nhwc', storage: 'f16x2' } };
  const reordered = { format: { storage: 'f16x2', layout: 'nhwc' }, strides: [1, 1], weights: [64, 64, 3, 3], input: [1, 64, 56, 56], kind: 'conv' };
  assert.equal(layerSignature(conv), layerSignature(reordered));
  assert.match(layerSignature(conv), /^[0-9a-f]{16}$/);
  assert.notEqual(layerSignature(conv), layerSignature({ ...conv, strides: [2, 2] }));
  assert.notEqual(layerSignature(conv), layerSignature({ ...conv, format: { layout: 'nhwc', storage: 'f32' } }));
  // the canonical text, worked by hand, and its hash
  assert.equal(canonicalJson({ b: [1, { d: 2, c: 'x' }], a: undefined, e: new Int32Array([3, 4]) }), '{"b":[1,{"c":"x","d":2}],"e":[3,4]}');
  assert.equal(layerSignature({ z: 1, y: 'q' }), fnv1a64(new TextEncoder().encode('{"y":"q","z":1}')));
});

test('a timing cache round-trips for the same nnrt and adapter', () => {
  const cache = new TimingCache(ID);
  cache.set('aaaa', 'gemm-64x64x16', 0.25);
  cache.set('bbbb', 'conv-depthwise', 1.5);
  cache.set('aaaa', 'gemm-32x32x8', 0.2); // a later measurement replaces the earlier one
  const { cache: back, reason } = TimingCache.parse(cache.serialize(), ID);
  assert.equal(reason, undefined);
  assert.equal(back.size, 2);
  assert.deepEqual(back.get('aaaa'), { tactic: 'gemm-32x32x8', ms: 0.2 });
  assert.deepEqual(back.get('bbbb'), { tactic: 'conv-depthwise', ms: 1.5 });
  assert.equal(back.get('cccc'), undefined);
  const header = JSON.parse(new TextDecoder().decode(cache.serialize()));
  assert.equal(header.format, 'nnrt-timing-cache');
  assert.equal(header.nnrtVersion, '0.1.0');
  assert.deepEqual(header.adapter, ID.adapter);
});

test('entries from another nnrt version or adapter are not used, with a reason', () => {
  const cache = new TimingCache(ID);
  cache.set('aaaa', 'gemm-64x64x16', 0.25);
  const bytes = cache.serialize();
  const other = TimingCache.parse(bytes, { ...ID, nnrtVersion: '0.2.0' });
  assert.equal(other.cache.size, 0);
  assert.match(other.reason!, /made by nnrt 0\.1\.0 \(this is 0\.2\.0\)/);
  const gpu = TimingCache.parse(bytes, { ...ID, adapter: { vendor: 'nvidia', architecture: 'hopper', description: 'H200' } });
  assert.equal(gpu.cache.size, 0);
  assert.match(gpu.reason!, /made on 'mesa llvmpipe \(lavapipe\)' \(this is 'nvidia hopper \(H200\)'\)/);
  assert.deepEqual(gpu.cache.identity.adapter.vendor, 'nvidia', 'the empty cache belongs to this adapter');
});

test('bytes that are not a timing cache throw a ParseError', () => {
  const enc = new TextEncoder();
  const bad = [
    enc.encode('{"format":"nnrt-timing-cache", "ver'),
    enc.encode('[1,2,3]'),
    enc.encode(JSON.stringify({ format: 'nnrt-timing-cache', version: 1, nnrtVersion: '0.1.0', adapter: ID.adapter, entries: { a: { tactic: 3, ms: 1 } } })),
    enc.encode(JSON.stringify({ format: 'nnrt-timing-cache', version: 1, nnrtVersion: '0.1.0', adapter: ID.adapter, entries: { a: { tactic: 't', ms: -1 } } })),
    enc.encode(JSON.stringify({ format: 'nnrt-timing-cache', version: 1, nnrtVersion: '0.1.0', adapter: ID.adapter })),
    new Uint8Array([0xff, 0xfe, 0x00]),
  ];
  for (const bytes of bad) assert.throws(() => TimingCache.parse(bytes, ID), ParseError);
});

test('timing cache files: missing is empty, corrupt is empty with a warning, save is atomic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnrt-timing-'));
  try {
    const path = join(dir, 'sub', 'timing.json');
    const missing = loadTimingCache(path, ID);
    assert.equal(missing.cache.size, 0);
    assert.equal(missing.warning, undefined);

    const cache = new TimingCache(ID);
    cache.set('sig1', 'pool-direct', 0.01);
    saveTimingCache(path, cache);
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['timing.json'], 'no temp files left behind');
    const loaded = loadTimingCache(path, ID);
    assert.equal(loaded.warning, undefined);
    assert.deepEqual(loaded.cache.get('sig1'), { tactic: 'pool-direct', ms: 0.01 });

    const foreign = loadTimingCache(path, { ...ID, nnrtVersion: '9.9.9' });
    assert.equal(foreign.cache.size, 0);
    assert.match(foreign.warning!, /timing\.json: timing cache made by nnrt 0\.1\.0/);

    writeFileSync(path, 'garbage{');
    const corrupt = loadTimingCache(path, ID);
    assert.equal(corrupt.cache.size, 0);
    assert.match(corrupt.warning!, /timing cache .*timing\.json ignored: .*not a valid nnrt timing cache/);

    // a directory where the file should be cannot be read
    const folder = join(dir, 'folder.json');
    mkdirSync(folder);
    const unreadable = loadTimingCache(folder, ID);
    assert.equal(unreadable.cache.size, 0);
    assert.match(unreadable.warning!, /unreadable/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
