// The committed src/cpu/kernels.wasm.ts is what `npm run build:wasm` makes from the AssemblyScript
// source today: a kernel edit without a rebuild (or a hand edit of the generated file) fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
// @ts-expect-error: a plain ESM script without type declarations
import { generatedModule, OUTPUT } from '../../scripts/build-wasm.mjs';

test('src/cpu/kernels.wasm.ts matches a fresh compile of src/cpu/assembly/', async () => {
  const fresh: string = await generatedModule();
  const committed = readFileSync(OUTPUT as string, 'utf8');
  assert.ok(committed === fresh, `${OUTPUT as string} is stale: run npm run build:wasm and commit the result`);
});

/** Section ids of a WebAssembly binary, in order. */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  for (let i = 8; i < bytes.length;) {
    ids.push(bytes[i++]!);
    let size = 0;
    let shift = 0;
    let b: number;
    do {
      b = bytes[i++]!;
      size |= (b & 127) << shift;
      shift += 7;
    } while (b & 128);
    i += size;
  }
  return ids;
}

test('the kernels own no memory: no data segments or globals the host arena could overwrite', async () => {
  const builds = await import('../../src/cpu/kernels.wasm.js');
  const { decodeBase64 } = await import('../../src/cpu/kernel-binaries.js');
  assert.equal(Object.keys(builds).length, 4, 'private and shared memory, each plain and relaxed SIMD');
  for (const text of Object.values(builds)) {
    const ids = sectionIds(decodeBase64(text));
    assert.ok(!ids.includes(11), 'a data section: static data (e.g. a library math table) lives where the arena starts');
    assert.ok(!ids.includes(6), 'a global section: the kernels keep state');
  }
});
