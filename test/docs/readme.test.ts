// Every code example in README.md runs: TypeScript blocks (with 'nnrt' imports pointed at src/) and
// the main command (`nnrt demo`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('../../', import.meta.url).pathname;
const models = join(root, '../shared/models');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

test('README has TypeScript examples', () => assert.ok(blocks.length >= 1));

blocks.forEach((code, i) => {
  test(`README TypeScript example ${i + 1} runs`, { skip: existsSync(models) ? false : '../shared/models is absent' }, () => {
    const src = code
      .replace(/from 'nnrt\/node'/g, `from '${join(root, 'src/node.ts')}'`)
      .replace(/from 'nnrt'/g, `from '${join(root, 'src/index.ts')}'`);
    const file = join(mkdtempSync(join(tmpdir(), 'nnrt-readme-')), `example${i}.mts`);
    writeFileSync(file, src);
    // the example runs where the models are; tsx is resolved from the project
    const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
    const r = spawnSync(process.execPath, ['--import', tsx, file], { cwd: models, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.trim().length > 0, 'prints something');
  });
});

test('the README main command `nnrt demo` runs', () => {
  assert.match(readme, /npm ci && npx nnrt demo/);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'demo', '--runs', '3'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /framework on/);
  assert.match(r.stdout, /^cpu /m);
});
