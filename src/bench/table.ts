// The human-readable bench table: one block per model, one line per runner.
import type { BenchReport, BenchRow, HardwareInfo, ModelReport } from './types.js';

/** 'AMD EPYC 9654 × 16 cores, GPU nvidia hopper (NVIDIA H200), Node v20.20.2' */
export function describeHardware(h: HardwareInfo): string {
  return `${h.cpu} × ${h.cores} cores${h.gpu ? `, GPU ${h.gpu}` : ''}, ${h.platform}, Node ${h.node}`;
}

const ms = (x: number) => (x >= 100 ? x.toFixed(1) : x >= 10 ? x.toFixed(2) : x.toFixed(3));
const perSecond = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const millions = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : `${n}`);

function agreement(r: BenchRow, m: ModelReport): string {
  if (r.id === m.reference) return 'reference';
  if (r.agree === undefined) return '—';
  const diff = r.maxAbsDiff!.toExponential(1);
  return r.agree ? `yes (${diff})` : `NO (${r.mismatch ?? diff})`;
}

/** The row's speed against the baseline in words: '3.20× faster', '1.40× slower', 'base'. */
function speed(r: BenchRow, m: ModelReport): string {
  if (r.id === m.baseline) return 'base';
  if (r.ratio === undefined) return '—';
  if (Math.abs(r.ratio - 1) < 0.005) return 'same';
  return r.ratio < 1 ? `${(1 / r.ratio).toFixed(2)}× faster` : `${r.ratio.toFixed(2)}× slower`;
}

const COLUMNS = [
  { head: 'runner', width: 0 },
  { head: 'median ms', width: 9 },
  { head: 'p90 ms', width: 8 },
  { head: 'images/s', width: 9 },
  { head: 'vs base', width: 13 },
  { head: 'runs', width: 4 },
  { head: 'agrees with reference (max |diff|)', width: 0 },
];

/** Right-aligned figures, two spaces apart, so no two columns ever run together. */
function line(cells: string[], labelWidth: number): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(labelWidth) : `  ${c.padStart(COLUMNS[i]!.width)}`)).join('');
}

/** The lines of one model's block. */
export function modelTable(m: ModelReport): string[] {
  const labelWidth = Math.max(8, ...m.rows.map((r) => r.label.length)) + 2;
  const inputs = m.inputs.map((i) => `${i.name} [${i.shape.join(',')}] ${i.dtype}`).join(', ');
  const out = [`${m.model} (${m.source === 'zoo' ? 'zoo, seeded weights' : 'file'}): ${inputs}; ${millions(m.parameters)} parameters`];
  out.push(line(COLUMNS.map((c) => c.head), labelWidth));
  for (const r of m.rows) {
    if (r.status !== 'ok') {
      out.push(`${r.label.padEnd(labelWidth)}n/a (${r.reason ?? 'did not run'})`);
      continue;
    }
    const t = r.timing!;
    out.push(line([r.label, ms(t.median), ms(t.p90), perSecond(r.throughput!), speed(r, m), String(t.runs), agreement(r, m)], labelWidth));
  }
  const base = m.rows.find((r) => r.id === m.baseline);
  if (base) out.push(`vs base: how much faster or slower than '${base.label}' (ratio of medians)`);
  return out;
}

/** The whole table: a heading with date and hardware, then one block per model. */
export function benchTable(report: BenchReport): string[] {
  const s = report.settings;
  const runs = s.runs === 'auto' ? `runs sized to ~${(s.targetMsPerRow / 1000).toFixed(0)} s per row` : `${s.runs} timed runs`;
  const out = [
    `nnrt ${report.nnrt} bench, ${report.date.slice(0, 16).replace('T', ' ')} UTC — ${describeHardware(report.hardware)}`,
    `${s.batch !== undefined ? `batch ${s.batch}; ` : ''}${s.warmup} warm-up runs, ${runs}; ${s.timing}`,
  ];
  for (const m of report.models) out.push('', ...modelTable(m));
  return out;
}
