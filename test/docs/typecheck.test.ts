// Every TypeScript example of README.md and docs/*.md type-checks with the project's strict
// settings (tsconfig.json), as a user's file importing 'nnrt' / 'nnrt/node' would: one tsc run over
// all of them, with each doc's prelude (preludes.ts) in front as when they run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docFiles, readBlocks, tsPrograms } from './blocks.js';
import { PRELUDES } from './preludes.js';

const root = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');

const toSource = (code: string) =>
  code
    .replace(/from 'nnrt\/node'/g, `from '${root}/src/node.js'`)
    .replace(/from 'nnrt'/g, `from '${root}/src/index.js'`)
    .replace(/from 'nnrt\/src\/([^']+)\.js'/g, `from '${root}/src/$1.js'`)
    .replace(/'SRC\/([^']+)\.ts'/g, `'${root}/src/$1.js'`);

test('every TypeScript example in README.md and docs/ type-checks (tsc --strict)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnrt-doc-tsc-'));
  try {
    const files: string[] = [];
    for (const doc of docFiles(root)) {
      for (const p of tsPrograms(readBlocks(root, doc))) {
        const file = join(dir, `${doc.replace(/\W/g, '_')}-${p.lines[0]}.mts`);
        writeFileSync(file, `// ${doc} lines ${p.lines.join(', ')}\n${toSource((PRELUDES[doc] ?? '') + p.code)}\nexport {};\n`);
        files.push(file);
      }
    }
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      extends: join(root, 'tsconfig.json'),
      compilerOptions: { noEmit: true, rootDir: '/', typeRoots: [join(root, 'node_modules/@types')] },
      files,
    }));
    const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    assert.equal(r.status, 0, `tsc found errors in doc examples:\n${r.stdout}${r.stderr}`);
    assert.ok(files.length >= 5, `only ${files.length} example programs found`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
