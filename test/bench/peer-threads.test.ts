// The CPU peers run on nnrt's thread count (NNRT_CPU_THREADS, else one per core), so that a bench
// compares runtimes on the same number of threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { peerRunner } from '../../src/node/peers.js';

test('onnxruntime-node and -web wasm rows take NNRT_CPU_THREADS, else the core count', () => {
  const saved = process.env.NNRT_CPU_THREADS;
  try {
    process.env.NNRT_CPU_THREADS = '3';
    assert.match(peerRunner('ort-node').runner('e2e').label, /cpu \(3 threads\)/);
    assert.match(peerRunner('ort-web-wasm').runner('e2e').label, /wasm \(3 threads\)/);
    delete process.env.NNRT_CPU_THREADS;
    assert.match(peerRunner('ort-node').runner('e2e').label, new RegExp(`\\(${availableParallelism()} threads\\)`));
  } finally {
    if (saved === undefined) delete process.env.NNRT_CPU_THREADS;
    else process.env.NNRT_CPU_THREADS = saved;
  }
});
