// All ONNX backend node tests of ../shared/fixtures/onnx-node-full (1,765 folders) on one device, in
// one process: every folder must pass except those excluded (src/node/conformance-exclusions.ts,
// with reasons) and those in known-failing.ts (ops not implemented yet). A known-failing folder
// that passes fails the test too, so that list only shrinks. Skips with a message without ../shared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runConformanceCase } from '../../src/node/backend-test.js';
import { exclusionFor } from '../../src/node/conformance-exclusions.js';
import { KNOWN_FAILING } from './known-failing.js';

export const FULL_FIXTURES = new URL('../../../shared/fixtures/onnx-node-full/', import.meta.url).pathname;

/** The backend-test folders (those holding a model.onnx); [] when the fixtures are absent. */
export function fullSuiteFolders(): string[] {
  if (!existsSync(FULL_FIXTURES)) return [];
  return readdirSync(FULL_FIXTURES).filter((f) => existsSync(join(FULL_FIXTURES, f, 'model.onnx'))).sort();
}

export function fullConformanceTest(device: 'cpu' | 'webgpu', skip: string | undefined): void {
  const folders = fullSuiteFolders();
  const absent = folders.length === 0 ? `${FULL_FIXTURES} is absent: the full ONNX conformance layer is skipped` : undefined;
  test(`ONNX backend node tests (onnx-node-full) on ${device}`, { skip: skip ?? absent ?? false }, async (t) => {
    const known = KNOWN_FAILING[device];
    const unexpected: string[] = [];
    const nowPassing: string[] = [];
    let passed = 0;
    let excluded = 0;
    let knownFailed = 0;
    const started = Date.now();
    for (const [i, name] of folders.entries()) {
      const r = await runConformanceCase(join(FULL_FIXTURES, name), { device }, exclusionFor(name, device));
      if (r.status === 'skip') excluded++;
      else if (r.status === 'pass') {
        passed++;
        if (known[name]) nowPassing.push(name);
      } else if (known[name]) knownFailed++;
      else unexpected.push(`${name}: ${r.reason?.split('\n')[0]}`);
      if ((i + 1) % 250 === 0) console.log(`  ${device}: ${i + 1}/${folders.length} folders, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
    const summary = `${device}: ${passed} passed, ${excluded} excluded, ${knownFailed} known failing (test/conformance/known-failing.ts), ` +
      `${unexpected.length} unexpected failures, of ${folders.length} folders in ${((Date.now() - started) / 1000).toFixed(0)} s`;
    console.log(summary);
    t.diagnostic(summary);
    const stale = Object.keys(known).filter((k) => !folders.includes(k));
    assert.deepEqual(unexpected, [], `folders that fail on ${device} and are neither excluded nor known failing:\n${unexpected.join('\n')}`);
    assert.deepEqual(nowPassing, [], `these pass on ${device} now: remove them from test/conformance/known-failing.ts:\n${nowPassing.join('\n')}`);
    assert.deepEqual(stale, [], `known-failing.ts names folders that do not exist:\n${stale.join('\n')}`);
  });
}
