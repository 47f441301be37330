// The SVG chart is well-formed XML with one bar per timed row, its labels escaped, and date and
// hardware in the title; the table shows n/a rows with their reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchChartSvg } from '../../src/bench/chart.js';
import { benchTable } from '../../src/bench/table.js';
import type { BenchReport, BenchRow } from '../../src/bench/types.js';

const row = (id: string, label: string, median: number, extra: Partial<BenchRow> = {}): BenchRow => ({
  id, label, kind: id.startsWith('nnrt') ? 'nnrt' : 'peer', device: 'cpu', engine: 'none', precision: 'fp32', mode: 'e2e', status: 'ok',
  timing: { runs: 5, median, p90: median * 1.2, mean: median, min: median * 0.9, max: median * 1.3 }, throughput: 1000 / median, maxAbsDiff: 0, agree: true, ...extra,
});

const report: BenchReport = {
  tool: 'nnrt bench', nnrt: '0.1.0', date: '2026-11-21T07:30:00.000Z',
  hardware: { cpu: 'Test CPU <fast> & cool', cores: 2, gpu: 'nvidia hopper (NVIDIA H200)', platform: 'linux x64', node: 'v20.20.2' },
  settings: { batch: 1, warmup: 1, runs: 5, targetMsPerRow: 3000, seed: 1, modes: ['e2e'], timing: 'end to end' },
  models: [
    {
      model: 'resnet18_v2', source: 'zoo', batch: 1, inputs: [{ name: 'data', shape: [1, 3, 224, 224], dtype: 'float32' }], parameters: 11_700_000,
      reference: 'nnrt-cpu', fastest: 'ort-node',
      rows: [
        row('nnrt-cpu', 'nnrt cpu', 40, { slowdownVsFastest: 10 }),
        { id: 'nnrt-webgpu-engine-fp16', label: 'nnrt webgpu+webgpu engine fp16', kind: 'nnrt', device: 'webgpu', engine: 'webgpu', precision: 'fp16', mode: 'e2e', status: 'n/a', reason: 'UnsupportedError: the webgpu engine <is not> here' },
        row('ort-node', 'onnxruntime-node cpu (2 threads)', 4, { slowdownVsFastest: 1, maxAbsDiff: 2e-6 }),
      ],
    },
    {
      model: 'tiny & "quoted"', source: 'file', batch: 2, inputs: [{ name: 'x', shape: [2, 2, 6, 6], dtype: 'float32' }], parameters: 200,
      reference: 'nnrt-cpu', fastest: 'ort-node',
      rows: [row('nnrt-cpu', 'nnrt cpu', 0.5, { slowdownVsFastest: 10 }), row('ort-node', 'onnxruntime-node cpu (2 threads)', 0.05, { slowdownVsFastest: 1, agree: false, maxAbsDiff: 0.5 })],
    },
  ],
};

/** A small well-formedness check: tags nest and close, attributes are quoted, text has no raw < or bare &. */
function assertWellFormed(xml: string): Map<string, number> {
  const counts = new Map<string, number>();
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (const m of body.matchAll(tag)) {
    const text = body.slice(last, m.index);
    assert.doesNotMatch(text, /<|&(?!(lt|gt|amp|quot|apos);)/, `raw markup in text: ${text}`);
    last = m.index! + m[0].length;
    const [, close, name, , selfClose] = m;
    if (close) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else {
      counts.set(name!, (counts.get(name!) ?? 0) + 1);
      if (!selfClose) stack.push(name!);
    }
  }
  assert.equal(body.slice(last).trim(), '', 'nothing after the root');
  assert.deepEqual(stack, [], 'every element closed');
  assert.ok(body.startsWith('<svg'), 'the root is <svg>');
  return counts;
}

test('chart: well-formed, one bar per timed row, p90 ticks, n/a noted', () => {
  const svg = benchChartSvg(report);
  const counts = assertWellFormed(svg);
  assert.equal(counts.get('svg'), 1);
  assert.equal((svg.match(/<rect class="bar"/g) ?? []).length, 4, 'four timed rows → four bars');
  assert.equal((svg.match(/<path class="p90"/g) ?? []).length, 4, 'a p90 whisker per bar');
  assert.match(svg, /data-model="resnet18_v2" data-runner="ort-node"/);
  assert.match(svg, /n\/a — UnsupportedError: the webgpu engine &lt;is not&gt; here/);
  assert.match(svg, /tiny &amp; &quot;quoted&quot;/);
});

test('chart: bars scale within each model; value labels and the title carry date and hardware', () => {
  const svg = benchChartSvg(report);
  const widths = [...svg.matchAll(/<rect class="bar" data-model="resnet18_v2" data-runner="([^"]+)"[^>]* width="([\d.]+)"/g)].map((m) => [m[1], Number(m[2])] as const);
  assert.deepEqual(widths.map((w) => w[0]), ['nnrt-cpu', 'ort-node']);
  // the slowest median (40 ms) spans the 520 px bar area; 4 ms is a tenth of it
  assert.equal(widths[0]![1], 520);
  assert.ok(Math.abs(widths[1]![1] - widths[0]![1] / 10) < 0.1);
  assert.match(svg, />40.0 ms</);
  assert.match(svg, /2026-11-21 07:30 UTC — Test CPU &lt;fast&gt; &amp; cool × 2 cores, linux x64, Node v20\.20\.2/);
  assert.match(svg, /GPU: nvidia hopper \(NVIDIA H200\)/);
});

test('table: one table per model; n/a rows give the reason; disagreement says NO', () => {
  const lines = benchTable(report);
  assert.match(lines[0]!, /^nnrt 0\.1\.0 bench, 2026-11-21 07:30 UTC — Test CPU <fast> & cool × 2 cores/);
  const text = lines.join('\n');
  assert.match(text, /resnet18_v2 \(zoo, seeded weights\): data \[1,3,224,224\] float32; 11\.7 M parameters/);
  assert.match(text, /nnrt webgpu\+webgpu engine fp16\s+end to end\s+n\/a \(UnsupportedError: the webgpu engine <is not> here\)/);
  assert.match(text, /onnxruntime-node cpu \(2 threads\)\s+end to end\s+4\.000\s+4\.800\s+250\s+1\.00× \(fastest\)\s+5\s+yes \(2\.0e-6\)/);
  assert.match(text, /NO \(5\.0e-1\)/);
  assert.match(text, /nnrt cpu\s+end to end\s+40\.00\s+48\.00\s+25\.0\s+10\.0× slower\s+5\s+reference/);
});
