// Every TypeScript example in README.md and docs/*.md runs, and every shell block marked
// `<!-- ci: run -->` (the rule is in blocks.ts). Examples run in a scratch folder per doc that holds
// a link to the repository's models/ (the committed model fixtures), so 'models/squeezenet1_1/model.onnx'
// resolves and files the examples write stay out of the checkout; blocks of one doc run in order
// and share it. Every ts program is also type-checked with the project's strict settings.
// 'nnrt' and 'nnrt/node' imports point at src/; `nnrt` in shell blocks runs src/cli/main.ts.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { docFiles, readBlocks, shellScript, tsPrograms } from './blocks.js';
import { PRELUDES } from './preludes.js';

const root = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
const models = join(root, 'models');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
const gpuSkip = webgpuSkip();
const modelFolders = existsSync(models) ? readdirSync(models, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : [];

/** Why a block cannot run here: a model folder it names is absent, or it needs WebGPU and there is none. */
function skipReason(code: string): string | false {
  const folders = [...code.matchAll(/\bmodels\/([\w.-]+)\/(?:model\.onnx|test_data_set_\d)/g)].map((m) => m[1]!);
  const absent = folders.find((f) => !modelFolders.includes(f));
  if (absent) return `${join(models, absent)} is absent`;
  if (/webgpu|optimizeFor/.test(code) && gpuSkip) return gpuSkip;
  return false;
}

const scratch: string[] = [];
after(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function scratchFolder(doc: string): string {
  const dir = mkdtempSync(join(tmpdir(), `nnrt-doc-${doc.replace(/\W/g, '_')}-`));
  scratch.push(dir);
  symlinkSync(models, join(dir, 'models'));
  return dir;
}

const toSource = (code: string) =>
  code
    .replace(/from 'nnrt\/node'/g, `from '${root}/src/node.ts'`)
    .replace(/from 'nnrt'/g, `from '${root}/src/index.ts'`)
    .replace(/from 'nnrt\/src\/([^']+)\.js'/g, `from '${root}/src/$1.ts'`)
    .replace(/'SRC\//g, `'${root}/src/`);

const docs = docFiles(root);
test('the docs have examples to run', () => {
  const ts = docs.flatMap((d) => readBlocks(root, d)).filter((b) => b.lang === 'ts');
  assert.ok(ts.length >= 10, `${ts.length} ts blocks`);
});

for (const doc of docs) {
  const blocks = readBlocks(root, doc);
  let dir: string | undefined;
  const work = () => (dir ??= scratchFolder(doc));
  // ts programs and marked shell blocks, in the doc's order (a shell block may read a file an example wrote)
  const programs = tsPrograms(blocks);
  const steps = [
    ...programs.map((p) => ({ line: p.lines[0]!, kind: 'ts' as const, code: p.code, label: `lines ${p.lines.join(', ')}` })),
    ...blocks.filter((b) => b.lang === 'sh' && b.marker === 'run').map((b) => ({ line: b.line, kind: 'sh' as const, code: shellScript(b), label: `line ${b.line}` })),
  ].sort((a, b) => a.line - b.line);

  for (const step of steps) {
    test(`${doc} ${step.kind} example at ${step.label} runs`, { skip: skipReason(step.code) }, () => {
      const cwd = work();
      let r;
      if (step.kind === 'ts') {
        const file = join(cwd, `example-${step.line}.mts`);
        writeFileSync(file, toSource((PRELUDES[doc] ?? '') + step.code));
        r = spawnSync(process.execPath, ['--import', tsx, file], { cwd, encoding: 'utf8' });
      } else {
        const script = [
          'set -euo pipefail',
          `nnrt() { "${process.execPath}" --import "${tsx}" "${root}/src/cli/main.ts" "$@"; }`,
          'npx() { "$@"; }',
          step.code,
        ].join('\n');
        r = spawnSync('bash', ['-c', script], { cwd, encoding: 'utf8' });
      }
      assert.equal(r.status, 0, `exit ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
      if (doc === 'README.md' && step.kind === 'ts') assert.ok(r.stdout.trim().length > 0, 'a README example prints what it shows');
    });
  }
}

test('the README main command `nnrt demo` runs and its rows agree with the framework', () => {
  assert.match(readFileSync(join(root, 'README.md'), 'utf8'), /npm ci && npx nnrt demo/);
  const r = spawnSync(process.execPath, ['--import', tsx, join(root, 'src/cli/main.ts'), 'demo', '--runs', '2'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^framework \((cpu|webgpu)\) .* reference$/m);
  // every engine row that ran prints its max |diff| and its tolerance; check the figure against it
  const agreements = [...r.stdout.matchAll(/^engine (fp32|fp16) .*  (\S+) agrees \(atol (\S+), rtol (\S+)\)$/gm)];
  if (!gpuSkip) assert.equal(agreements.length, 2, r.stdout);
  for (const [, precision, diff, atol] of agreements) {
    assert.equal(Number(atol), precision === 'fp16' ? 3e-2 : 1e-3);
    assert.ok(Number(diff) <= Number(atol), `engine ${precision}: max |diff| ${diff} over atol ${atol}`);
  }
});
