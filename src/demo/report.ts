// The demo's printed report: what ran where, what the engine made of the model, and the table of
// latency, throughput, speedup and agreement with the framework.
import type { DemoReport, DemoRow } from './demo.js';
import { demoSucceeded } from './demo.js';

const ms = (x: number) => (x >= 100 ? x.toFixed(1) : x >= 10 ? x.toFixed(2) : x.toFixed(3));
const perSecond = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 1)} MiB`;
const seconds = (msValue: number) => `${(msValue / 1000).toFixed(1)} s`;

/** The lines printed before the timing starts: model, input and device. */
export function demoHeader(r: Pick<DemoReport, 'parameters' | 'nodes' | 'setup'>): string[] {
  const a = r.setup.adapter;
  const device = r.setup.device === 'webgpu' && a
    ? `webgpu — ${[a.description, a.vendor && a.architecture ? `(${a.vendor} ${a.architecture})` : a.vendor].filter(Boolean).join(' ')}`
    : 'cpu (the framework\'s CPU executor)';
  return [
    `nnrt demo: ResNet-18 v2 from the model zoo (seeded weights, no download), ${(r.parameters / 1e6).toFixed(1)} M parameters, ${r.nodes} nodes`,
    `input ${r.setup.inputShape.join('×')}, device ${device}`,
  ];
}

function engineLine(row: DemoRow): string | undefined {
  const e = row.engine;
  if (!e) return undefined;
  const subgraphs = `${e.subgraphs} engine subgraph${e.subgraphs === 1 ? '' : 's'}`;
  return `${row.label}: ${subgraphs}, ${e.nodes} nodes → ${e.layers} layers; first run (build included) ${seconds(e.buildMs)}; ` +
    `activations ${mib(e.arenaBytes)} planned vs ${mib(e.naiveBytes)} naive`;
}

function agreement(row: DemoRow): string {
  if (row.id === 'framework') return 'reference';
  if (row.agree === undefined || row.maxAbsDiff === undefined) return '—';
  const tol = row.tolerance ? ` (atol ${row.tolerance.atol.toExponential(0)}, rtol ${row.tolerance.rtol.toExponential(0)})` : '';
  return `${row.maxAbsDiff.toExponential(1)} ${row.agree ? 'agrees' : 'DIFFERS'}${tol}`;
}

const HEADS = ['median ms', 'p90 ms', 'images/s', 'speedup', 'runs'];

/** The table and the closing lines. */
export function demoTable(r: DemoReport): string[] {
  const width = Math.max(...r.rows.map((row) => row.label.length)) + 2;
  const cells = (label: string, figures: string[], last: string) =>
    label.padEnd(width) + figures.map((f, i) => f.padStart(Math.max(HEADS[i]!.length, 7) + 2)).join('') + `  ${last}`;
  const out: string[] = [];
  for (const row of r.rows) {
    const line = engineLine(row);
    if (line) out.push(line);
  }
  if (out.length) out.push('');
  out.push(cells('', HEADS, 'max |diff| vs framework'));
  for (const row of r.rows) {
    if (!row.timing) {
      out.push(`${row.label.padEnd(width)}  n/a: ${row.unavailable ?? row.error ?? 'did not run'}`);
      continue;
    }
    const t = row.timing;
    out.push(cells(row.label, [ms(t.median), ms(t.p90), perSecond(row.imagesPerSecond!), `${row.speedup!.toFixed(2)}×`, String(t.runs)], agreement(row)));
  }
  out.push('');
  const ran = r.rows.filter((row) => row.top1 !== undefined);
  const classes = [...new Set(ran.map((row) => row.top1))];
  if (classes.length === 1) {
    out.push(`top-1 class: #${classes[0]} in every row (random weights, so the class itself means nothing)`);
  } else if (classes.length > 1) {
    out.push(`top-1 class differs between rows: ${ran.map((row) => `${row.label} #${row.top1}`).join(', ')}`);
  }
  const failed = r.rows.filter((row) => row.error !== undefined || row.agree === false);
  out.push(demoSucceeded(r)
    ? 'every row that ran agrees with the framework: |diff| ≤ atol + rtol·|framework| for every output value'
    : `FAILED: ${failed.map((row) => `${row.label} ${row.error !== undefined ? 'did not run' : 'differs from the framework'}`).join('; ')}`);
  return out;
}
