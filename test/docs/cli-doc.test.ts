// docs/cli.md stays true to the CLI: every verb has a section, every option of a verb's --help
// appears in that section, and no section names an option the verb does not have. Every verb's
// `--help` runs, exits 0 and shows examples. The README's verb table names every verb.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram } from '../../src/cli/program.js';

const root = new URL('../../', import.meta.url).pathname;
const cliDoc = readFileSync(join(root, 'docs/cli.md'), 'utf8');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const verbs = buildProgram(() => {}).commands.filter((c) => c.name() !== 'help');

/** The text of docs/cli.md under the heading `## nnrt VERB` (up to the next `## `). */
function section(verb: string): string | undefined {
  const start = cliDoc.search(new RegExp(`^## \`nnrt ${verb}\\b`, 'm'));
  if (start < 0) return undefined;
  const rest = cliDoc.slice(start + 3);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

test('the CLI has the verbs the docs describe', () => {
  assert.deepEqual(verbs.map((c) => c.name()).sort(), ['bench', 'build', 'calibrate', 'conformance', 'convert', 'demo', 'inspect', 'run', 'verify']);
});

for (const cmd of verbs) {
  const verb = cmd.name();
  test(`docs/cli.md documents every option of nnrt ${verb}, and only those`, () => {
    const text = section(verb);
    assert.ok(text, `docs/cli.md has no section '## \`nnrt ${verb}'`);
    const flags = cmd.options.map((o) => o.long!).filter((f) => f !== '--help');
    for (const f of flags) assert.match(text, new RegExp(`\`${f}[\\s\`=\\[<]`), `nnrt ${verb} ${f} is not in docs/cli.md`);
    // options the section names in backticks must exist (--help and the global --version aside)
    const named = new Set([...text.matchAll(/`(--[a-z][\w-]*)/g)].map((m) => m[1]!));
    for (const f of named) if (f !== '--help' && f !== '--version') assert.ok(flags.includes(f), `docs/cli.md names ${f} under nnrt ${verb}, which has no such option`);
  });

  test(`nnrt ${verb} --help runs and shows examples`, () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), verb, '--help'], { encoding: 'utf8', cwd: root });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Usage: nnrt ${verb}`, 'm'));
    assert.match(r.stdout, /Examples:/);
  });

  test(`README's verb table links nnrt ${verb} to docs/cli.md`, () => {
    assert.match(readme, new RegExp(`\\[\`nnrt ${verb}\`\\]\\(docs/cli\\.md#`));
  });
}
