// The Dawn workaround for onnxruntime-web: writeBuffer calls with SharedArrayBuffer-backed data get
// exactly the requested range, copied into a plain buffer (checked on a stand-in GPUQueue).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copySharedWrites } from '../../src/node/peers.js';

test('shared writes are copied range by range; plain writes pass through untouched', () => {
  const calls: { offset: number; data: unknown; dataOffset?: number; size?: number }[] = [];
  class FakeQueue {
    writeBuffer(_buffer: unknown, offset: number, data: unknown, dataOffset?: number, size?: number) {
      calls.push({ offset, data, dataOffset, size });
    }
  }
  const g = globalThis as { GPUQueue?: unknown };
  const saved = g.GPUQueue;
  g.GPUQueue = FakeQueue;
  try {
    copySharedWrites();
    copySharedWrites(); // idempotent: wrapped once
    const q = new FakeQueue() as unknown as GPUQueue;
    const sab = new SharedArrayBuffer(64);
    new Uint8Array(sab).forEach((_, i, a) => (a[i] = i));
    // a raw shared buffer: offset and size in bytes
    q.writeBuffer({} as GPUBuffer, 16, sab as unknown as ArrayBuffer, 8, 4);
    // a Float32Array view at byte 16: offset and size in elements (2 and 3 → bytes 24..36)
    q.writeBuffer({} as GPUBuffer, 0, new Float32Array(sab, 16, 8) as unknown as Float32Array<ArrayBuffer>, 2, 3);
    // no size: the rest of the view
    q.writeBuffer({} as GPUBuffer, 0, new Uint8Array(sab, 60, 4) as unknown as Uint8Array<ArrayBuffer>);
    const plain = new Uint8Array([9, 9]);
    q.writeBuffer({} as GPUBuffer, 4, plain, 1, 1);
    const bytes = (i: number) => Array.from(calls[i]!.data as Uint8Array);
    assert.deepEqual(bytes(0), [8, 9, 10, 11]);
    assert.deepEqual(bytes(1), Array.from({ length: 12 }, (_, k) => 24 + k));
    assert.deepEqual(bytes(2), [60, 61, 62, 63]);
    for (const i of [0, 1, 2]) {
      assert.ok(!((calls[i]!.data as Uint8Array).buffer instanceof SharedArrayBuffer), 'copied into a plain buffer');
      assert.equal(calls[i]!.dataOffset, undefined);
    }
    assert.equal(calls[0]!.offset, 16);
    assert.deepEqual(calls[3], { offset: 4, data: plain, dataOffset: 1, size: 1 });
  } finally {
    g.GPUQueue = saved;
  }
});
