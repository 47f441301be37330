// The import graph of src/: every .ts file's import / export-from / dynamic import targets,
// grouped into parts (src/<part>/ folders; top-level files grouped below). Used by the
// architecture test, which fails on cycles between parts, on core files importing `node:`, and
// on files over the line limit.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface SourceFile {
  /** Path relative to src/, with '/' separators. */
  path: string;
  lines: number;
  /** Specifiers as written (`node:fs`, `../ops/registry.js`). */
  specifiers: string[];
}

/** Top-level files of src/ and the part each belongs to. */
const TOP_LEVEL_PARTS: Record<string, string> = {
  'index.ts': 'entry',
  'node.ts': 'entry',
  'errors.ts': 'base',
  'version.ts': 'base',
};

/** Parts and files that may use Node built-ins (everything else is the browser-safe core). */
export const NODE_ONLY_PARTS = new Set(['node', 'cli']);
export const NODE_ONLY_FILES = new Set(['node.ts']);

// `import x from '…'`, `import type {…} from '…'`, `export {…} from '…'`, `export * from '…'`,
// side-effect `import '…'`, and `import('…')`.
const FROM = /^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/gm;
const BARE = /^\s*import\s*['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

export function readSources(srcDir: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) {
        const text = readFileSync(p, 'utf8');
        const specifiers = [FROM, BARE, DYNAMIC].flatMap((re) => [...text.matchAll(re)].map((m) => m[1]!));
        files.push({ path: relative(srcDir, p).split('\\').join('/'), lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), specifiers });
      }
    }
  };
  walk(srcDir);
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

export function partOf(path: string): string {
  const slash = path.indexOf('/');
  if (slash >= 0) return path.slice(0, slash);
  return TOP_LEVEL_PARTS[path] ?? path.replace(/\.ts$/, '');
}

export function isNodeOnly(path: string): boolean {
  return NODE_ONLY_FILES.has(path) || NODE_ONLY_PARTS.has(partOf(path));
}

/** The src-relative .ts path a relative specifier points at, or undefined for packages and `node:`. */
export function resolveSpecifier(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const target = resolve('/', dirname(from), spec).slice(1);
  return target.replace(/\.js$/, '.ts');
}

/** Part → part edges, each with one file-level example (`a.ts → b.ts`) for the message. */
export function partGraph(files: readonly SourceFile[]): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const f of files) {
    const from = partOf(f.path);
    if (!graph.has(from)) graph.set(from, new Map());
    for (const spec of f.specifiers) {
      const target = resolveSpecifier(f.path, spec);
      if (!target) continue;
      const to = partOf(target);
      if (to !== from && !graph.get(from)!.has(to)) graph.get(from)!.set(to, `${f.path} → ${target}`);
    }
  }
  return graph;
}

/** Strongly connected components with more than one part (Tarjan), each sorted. */
export function partCycles(graph: ReadonlyMap<string, ReadonlyMap<string, string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

/** Parts in dependency order (a part after everything it imports), one line each. */
export function describeGraph(graph: ReadonlyMap<string, ReadonlyMap<string, string>>): string {
  const done = new Set<string>();
  const order: string[] = [];
  const place = (p: string, seen: Set<string>): void => {
    if (done.has(p) || seen.has(p)) return;
    seen.add(p);
    for (const q of [...(graph.get(p)?.keys() ?? [])].sort()) place(q, seen);
    done.add(p);
    order.push(p);
  };
  for (const p of [...graph.keys()].sort()) place(p, new Set());
  return order.map((p) => `${p.padEnd(10)} → ${[...(graph.get(p)?.keys() ?? [])].sort().join(', ') || '(nothing)'}`).join('\n');
}
