// The ONNX backend node tests of ../shared/fixtures/onnx-node as node:test cases, one per folder,
// each skipped with its written reason where an exclusion names it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runConformanceCase } from '../../src/node/backend-test.js';
import { exclusionFor } from '../../src/node/conformance-exclusions.js';
import type { DeviceName } from '../../src/runtime/session.js';

export const FIXTURES = new URL('../../../shared/fixtures/onnx-node/', import.meta.url).pathname;
/** All 1,765 ONNX backend node tests (onnx-node holds a selection); pass as `root` below. */
export const FULL_FIXTURES = new URL('../../../shared/fixtures/onnx-node-full/', import.meta.url).pathname;
const MANIFEST = join(FIXTURES, 'MANIFEST.tsv');

export interface ManifestRow {
  folder: string;
  op: string;
  expanded: boolean;
}

/** Folders of MANIFEST.tsv (folder, operator, expanded, ...) that `keep` selects; [] when absent. */
export function manifestFolders(keep: (row: ManifestRow) => boolean): string[] {
  if (!existsSync(MANIFEST)) return [];
  return readFileSync(MANIFEST, 'utf8').split('\n').slice(1).filter(Boolean)
    .map((l) => l.split('\t'))
    .map((c) => ({ folder: c[0]!, op: c[1]!, expanded: c[2] !== 'no' }))
    .filter(keep).map((r) => r.folder).sort();
}

/** Folders of `root` (default FIXTURES) whose name matches `pattern`; [] when the fixtures are absent. */
export function foldersMatching(pattern: RegExp, root = FIXTURES): string[] {
  return existsSync(root) ? readdirSync(root).filter((d) => pattern.test(d)).sort() : [];
}

/** One test per folder: it must pass on `device` (skipped where an exclusion gives a reason). */
export function conformanceTests(label: string, folders: readonly string[], device: DeviceName = 'cpu', root = FIXTURES): void {
  if (folders.length === 0) test(`${label} backend node tests`, { skip: `${root} is absent` }, () => {});
  for (const name of folders) {
    const reason = exclusionFor(name, device);
    test(`conformance ${name}`, { skip: reason ?? false }, async () => {
      const r = await runConformanceCase(join(root, name), { device }, undefined);
      assert.equal(r.status, 'pass', r.reason);
    });
  }
}
