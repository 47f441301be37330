// `nnrt inspect MODEL --partition webgpu ...`: the report as text and JSON, the SVG file, and bad
// options as UsageErrors. The model is the hand-written small CNN (Conv → Relu → MaxPool →
// Reshape → Gemm → Softmax), every op of which the webgpu engine takes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect, type InspectOptions } from '../../src/cli/inspect.js';
import { UsageError } from '../../src/errors.js';
import { smallCnnModel } from '../helpers/small-model.js';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'nnrt-partition-'));
const model = join(dir, 'small.onnx');
writeFileSync(model, smallCnnModel());

function run(opts: InspectOptions): string[] {
  const lines: string[] = [];
  assert.equal(inspect(model, opts, (s) => lines.push(s)), 0);
  return lines;
}

test('text report: one subgraph of all six nodes, nothing declined, weights moved to the engine', () => {
  const text = run({ partition: 'webgpu' }).join('\n');
  assert.match(text, /partition webgpu \(min subgraph size 3\): 6 nodes → 1 engine subgraph with 6 nodes; 0 nodes stay in the framework/);
  assert.match(text, /engine_0\s+6\s+x\s+y\s+Conv 1, Gemm 1, MaxPool 1, Relu 1, Reshape 1, Softmax 1/);
  // w 4·2·3·3 + b 4 + fw 3·36 + fb 3 floats = 187·4 = 748 B, plus the int64 shape [1,36] = 16 B
  assert.match(text, /weights\s+764 B before; after: framework 0 B, engines 764 B/);
  assert.doesNotMatch(text, /declined/);
});

test('--exclude-ops and --exclude-nodes show up as declined nodes with the reason', () => {
  const text = run({ partition: 'webgpu', excludeOps: ['Softmax'], excludeNodes: ['pool'], minSubgraphSize: 2 }).join('\n');
  assert.match(text, /2 engine subgraphs with 4 nodes; 2 nodes stay in the framework/);
  assert.match(text, /pool\s+MaxPool\s+excluded by the user \(excludeNodes\)/);
  assert.match(text, /softmax\s+Softmax\s+op Softmax excluded by the user \(excludeOps\)/);
});

test('--json carries the partition report', () => {
  const doc = JSON.parse(run({ partition: 'webgpu', json: true, minSubgraphSize: 7 }).join('\n'));
  assert.equal(doc.partition.backend, 'webgpu');
  assert.deepEqual(doc.partition.subgraphs, []);
  assert.deepEqual(doc.partition.tooSmall.map((c: { nodes: string[] }) => c.nodes), [['conv', 'relu', 'pool', 'reshape', 'fc', 'softmax']]);
  assert.equal(doc.partition.frameworkNodes, 6);
});

test('--svg writes a drawing with the engine node', () => {
  const svg = join(dir, 'p.svg');
  const lines = run({ partition: 'webgpu', svg });
  assert.ok(existsSync(svg));
  assert.match(lines.at(-1)!, /wrote .*p\.svg/);
  const text = readFileSync(svg, 'utf8');
  assert.match(text, /<g class="engine" data-node-count="6" data-subgraph="0">/);
  assert.match(text, /<\/svg>\n$/);
});

test('bad options are UsageErrors', () => {
  const bad = (o: InspectOptions, re: RegExp) => assert.throws(() => run(o), (e) => e instanceof UsageError && re.test(e.message));
  bad({ partition: 'cuda' }, /unknown partition backend 'cuda'.*webgpu/);
  bad({ partition: 'webgpu', excludeOps: ['Convolution'] }, /unknown op name 'Convolution'/);
  bad({ partition: 'webgpu', minSubgraphSize: 0 }, /minimum subgraph size must be an integer ≥ 1/);
  bad({ partition: 'webgpu', excludeNodes: ['nope'] }, /no node named 'nope'/);
  bad({ svg: 'x.svg' }, /--svg applies only with --partition/);
  bad({ excludeOps: ['Conv'], minSubgraphSize: 2 }, /--exclude-ops, --min-subgraph-size apply only with --partition/);
});

test('the real CLI parses the partition options (comma lists, numbers) and maps bad ones to exit 2', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });
  const ok = cli('inspect', model, '--partition', 'webgpu', '--exclude-ops', 'Softmax,Gemm', '--min-subgraph-size', '1', '--json');
  assert.equal(ok.status, 0, ok.stderr);
  const doc = JSON.parse(ok.stdout);
  assert.deepEqual(doc.partition.declined.map((d: { node: string }) => d.node), ['fc', 'softmax']);
  assert.equal(doc.partition.minSubgraphSize, 1);
  const bad = cli('inspect', model, '--partition', 'webgpu', '--min-subgraph-size', '0');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^nnrt: UsageError: minimum subgraph size/);
});
