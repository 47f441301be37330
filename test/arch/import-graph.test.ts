// Parts import one way: no cycle between the parts of src/, no `node:` import in the
// browser-safe core, no file over 400 lines. Prints the part-level graph.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { describeGraph, isNodeOnly, partCycles, partGraph, readSources } from './import-graph.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const MAX_LINES = 400;
/** Generated data (not hand-written code): the WebAssembly kernels as base64 lines, rebuilt by `npm run build:wasm`. */
const GENERATED = new Set(['cpu/kernels.wasm.ts']);
const files = readSources(SRC);
const graph = partGraph(files);

test('the part-level import graph of src/ (printed)', () => {
  console.log(`import graph of src/ (${files.length} files, ${graph.size} parts), each part after what it imports:\n${describeGraph(graph)}`);
  assert.ok(files.length > 100, 'src/ was read');
  assert.ok(graph.has('ops') && graph.has('engine'), 'the main parts were found');
});

test('no cycle between parts of src/', () => {
  const cycles = partCycles(graph);
  const explain = cycles.map((scc) => {
    const edges = scc.flatMap((a) => scc.filter((b) => graph.get(a)?.has(b)).map((b) => `    ${a} → ${b}  (${graph.get(a)!.get(b)})`));
    return `  parts ${scc.join(' ↔ ')}:\n${edges.join('\n')}`;
  });
  assert.deepEqual(cycles, [], `parts import each other in a loop; move the shared piece down into a part both may import:\n${explain.join('\n')}`);
});

test('the core imports nothing from node:', () => {
  const bad = files.filter((f) => !isNodeOnly(f.path)).flatMap((f) =>
    f.specifiers.filter((s) => s.startsWith('node:')).map((s) => `src/${f.path} imports ${s}`));
  assert.deepEqual(bad, [], 'Node built-ins belong behind src/node/, src/cli/ or src/node.ts');
});

test(`no file in src/ is over ${MAX_LINES} lines`, () => {
  const long = files.filter((f) => f.lines > MAX_LINES && !GENERATED.has(f.path)).map((f) => `src/${f.path}: ${f.lines} lines`);
  assert.deepEqual(long, [], 'split the file by concept');
});

test('the checker itself finds a planted cycle and a node: import', () => {
  const planted = partGraph([
    { path: 'a/x.ts', lines: 1, specifiers: ['../b/y.js'] },
    { path: 'b/y.ts', lines: 1, specifiers: ['../a/x.js', 'node:fs'] },
    { path: 'c/z.ts', lines: 1, specifiers: ['../a/x.js'] },
  ]);
  assert.deepEqual(partCycles(planted), [['a', 'b']]);
  assert.equal(isNodeOnly('b/y.ts'), false);
  assert.equal(isNodeOnly('node/files.ts'), true);
});
