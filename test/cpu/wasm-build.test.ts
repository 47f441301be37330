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
