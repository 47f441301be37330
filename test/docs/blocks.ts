// Code blocks of the Markdown docs and the rule that says which run in CI:
//   ```ts   every block runs, as its own ES module. A block right after the marker
//           `<!-- ci: continues -->` is appended to the block before it, and the chain runs as one
//           module (a tutorial's steps share their variables).
//   ```sh   a block right after `<!-- ci: run -->` runs in bash, line by line, and must exit 0;
//           other shell blocks are shown, not run (`nnrt VERB --help` of every verb runs in
//           cli-doc.test.ts, and docs/cli.md is checked against that help).
// "Right after" means the marker is the last non-blank line before the opening fence.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DocBlock {
  /** The doc's path from the project root ('README.md', 'docs/engine.md'). */
  doc: string;
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The `ci:` marker before the block, if any ('run', 'continues'). */
  marker?: string;
}

/** A ts program to run: one block, or a block and the blocks continuing it. */
export interface TsProgram {
  doc: string;
  /** Lines of the blocks it joins. */
  lines: number[];
  code: string;
}

const MARKER = /^<!--\s*ci:\s*(.+?)\s*-->$/;

export function parseBlocks(doc: string, text: string): DocBlock[] {
  const lines = text.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    let prev = i - 1;
    while (prev >= 0 && lines[prev]!.trim() === '') prev--;
    const marker = prev >= 0 ? MARKER.exec(lines[prev]!.trim())?.[1] : undefined;
    blocks.push({ doc, lang: open[1]!, code: lines.slice(i + 1, end).join('\n') + '\n', line: i + 1, ...(marker ? { marker } : {}) });
    i = end;
  }
  return blocks;
}

/** README.md and every docs/*.md, in that order. */
export function docFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

export function readBlocks(root: string, doc: string): DocBlock[] {
  return parseBlocks(doc, readFileSync(join(root, doc), 'utf8'));
}

/** The ts programs of a doc: chains of `continues` blocks joined. */
export function tsPrograms(blocks: DocBlock[]): TsProgram[] {
  const programs: TsProgram[] = [];
  for (const b of blocks.filter((x) => x.lang === 'ts')) {
    const last = programs.at(-1);
    if (b.marker === 'continues') {
      if (!last) throw new Error(`${b.doc}:${b.line}: a 'continues' block needs a ts block before it`);
      last.lines.push(b.line);
      last.code += `\n// --- ${b.doc}:${b.line}\n${b.code}`;
    } else {
      programs.push({ doc: b.doc, lines: [b.line], code: b.code });
    }
  }
  return programs;
}

/** The commands of a shell block: `$ ` prompts removed; comments and blank lines kept (bash ignores them). */
export function shellScript(b: DocBlock): string {
  return b.code.split('\n').map((l) => l.replace(/^\$ /, '')).join('\n');
}
