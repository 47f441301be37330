// The human-readable bench table: one table per model, one line per runner and timing mode.
import { drift, lastSteady, median } from './stats.js';
import type { BenchReport, BenchRow, HardwareInfo, ModelReport } from './types.js';

/** 'AMD EPYC 9654 × 16 cores, GPU nvidia hopper (NVIDIA H200), Node v20.20.2' */
export function describeHardware(h: HardwareInfo): string {
  const f = h.gpuFeatures;
  const features = f ? [...(f.shaderF16 ? ['shader-f16'] : []), ...(f.subgroupMatrix.length ? [`subgroup-matrix (${f.subgroupMatrix.length} configs)`] : [])] : [];
  const gpu = h.gpu ? `, GPU ${h.gpu}${features.length ? ` with ${features.join(', ')}` : ''}` : '';
  const kernels = h.cpuKernels ? ` (nnrt's CPU kernels: ${h.cpuKernels.simd}, ${h.cpuKernels.threads} thread${h.cpuKernels.threads === 1 ? '' : 's'})` : '';
  return `${h.cpu} × ${h.cores} cores${kernels}${gpu}, ${h.platform}, Node ${h.node}`;
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

const times = (x: number) => `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`;

/** The row's speed against the fastest row: '1.00× (fastest)', '7.20× slower'. */
export function vsFastest(r: BenchRow, m: ModelReport): string {
  if (r.slowdownVsFastest === undefined) return '—';
  if (r.id === m.fastest) return '1.00× (fastest)';
  return r.slowdownVsFastest < 1.005 ? '1.00× (tied)' : `${times(r.slowdownVsFastest)} slower`;
}

/** The row's speed against the baseline row: '3.20× faster', '1.40× slower', 'baseline'. */
export function vsBaseline(r: BenchRow, m: ModelReport): string {
  if (r.id === m.baseline) return 'baseline';
  const x = r.speedupVsBaseline;
  if (x === undefined) return '—';
  if (Math.abs(x - 1) < 0.005) return 'same';
  return x > 1 ? `${times(x)} faster` : `${times(1 / x)} slower`;
}

const MODE_WORDS: Record<BenchRow['mode'], string> = { e2e: 'end to end', resident: 'on device', stream: 'back to back' };
/** A row whose later runs are this much faster (or slower) than its earlier ones gets a note. */
const UNSTEADY = 1.25;

interface Column {
  head: string;
  /** Right-aligned width (0: the left-aligned first or last column). */
  width: number;
  cell(r: BenchRow, m: ModelReport): string;
}

function columns(m: ModelReport): Column[] {
  const t = (r: BenchRow) => r.timing!;
  const base = m.rows.find((r) => r.id === m.baseline);
  return [
    { head: 'runner', width: 0, cell: (r) => r.label },
    { head: 'timed', width: 10, cell: (r) => MODE_WORDS[r.mode] },
    { head: 'median ms', width: 9, cell: (r) => ms(t(r).median) },
    { head: 'p90 ms', width: 8, cell: (r) => ms(t(r).p90) },
    { head: 'items/s', width: 8, cell: (r) => perSecond(r.throughput!) },
    { head: 'vs fastest', width: 15, cell: vsFastest },
    ...(base ? [{ head: `vs ${base.id}`, width: Math.max(12, base.id.length + 3), cell: vsBaseline }] : []),
    ...(m.rows.some((r) => r.vsStatic !== undefined) ? [{ head: 'vs static', width: 9, cell: (r: BenchRow) => (r.vsStatic === undefined ? '—' : times(r.vsStatic)) }] : []),
    ...(m.rows.some((r) => r.profileStats) ? [{ head: 'builds/specializations', width: 22, cell: (r: BenchRow) => (r.profileStats ? `${r.profileStats.builds} / ${r.profileStats.specializations}` : '—') }] : []),
    { head: 'runs', width: 4, cell: (r) => String(t(r).runs) },
    { head: 'agrees with reference (max |diff|)', width: 0, cell: agreement },
  ];
}

/** Right-aligned figures, two spaces apart, so no two columns ever run together. */
function line(cols: Column[], cells: string[], labelWidth: number): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(labelWidth) : `  ${c.padStart(cols[i]!.width)}`)).join('').trimEnd();
}

/** The lines of one model's table: one line per row, every runner and timing mode in it. */
export function modelTable(m: ModelReport): string[] {
  const labelWidth = Math.max(8, ...m.rows.map((r) => r.label.length)) + 2;
  const inputs = m.inputs.map((i) => `${i.name} [${i.shape.join(',')}] ${i.dtype}`).join(', ');
  const cols = columns(m);
  const out = [`${m.model} (${m.source === 'zoo' ? 'zoo, seeded weights' : 'file'}): ${inputs}; ${millions(m.parameters)} parameters`];
  out.push(line(cols, cols.map((c) => c.head), labelWidth));
  for (const r of m.rows) {
    if (r.status !== 'ok') {
      out.push(`${r.label.padEnd(labelWidth)}  ${MODE_WORDS[r.mode].padStart(10)}  n/a (${r.reason ?? 'did not run'})`);
      continue;
    }
    out.push(line(cols, cols.map((c) => c.cell(r, m)), labelWidth));
  }
  if (m.fastest) out.push('vs fastest: how many times slower than the fastest row (ratio of medians)');
  const base = m.rows.find((r) => r.id === m.baseline);
  if (base) out.push(`vs ${base.id}: how many times faster or slower than '${base.label}' timed ${MODE_WORDS[base.mode]}`);
  if (m.rows.some((r) => r.vsStatic !== undefined)) out.push('vs static: the profile row\'s median ÷ the median of the engine built at this very shape (1.10× = 10% slower)');
  if (m.rows.some((r) => r.profileStats)) out.push('builds/specializations: the profile session\'s engine builds (one per profile) and specializations to other shapes so far');
  out.push(...unsteadyNotes(m));
  return out;
}

/** Rows whose runs got much faster or slower while they were timed (see stats.drift). */
function unsteadyNotes(m: ModelReport): string[] {
  return m.rows.flatMap((r) => {
    if (r.steady && !r.steady.settled) return [`unsteady: ${r.label} ${MODE_WORDS[r.mode]}: its runs had not settled (two windows within 3%) after ${ms(r.steady.warmupMs)} ms of warm-up (--steady-ms)`];
    const d = r.status === 'ok' && r.times ? drift(r.times) : undefined;
    if (d === undefined || (d < UNSTEADY && d > 1 / UNSTEADY)) return [];
    const half = r.times!.length >> 1;
    const [a, b] = [median(r.times!.slice(0, half)), median(r.times!.slice(r.times!.length - half))];
    const end = lastSteady(r.times!);
    const ended = end && end.runs < r.times!.length ? `; its last ${end.runs} runs, at one speed (within 3%), took ${ms(end.median)} ms` : '';
    return [`unsteady: ${r.label} ${MODE_WORDS[r.mode]}: its first ${half} runs took ${ms(a)} ms (median), its last ${half} ${ms(b)} ms${ended}; the device was still changing speed (a GPU raising its clocks, other load): a longer --warmup-ms, --steady-ms or more --runs steadies it`];
  });
}

/** The whole table: a heading with date and hardware, then one block per model. */
export function benchTable(report: BenchReport): string[] {
  const s = report.settings;
  const runs = s.runs === 'auto' ? `runs sized to ~${(s.targetMsPerRow / 1000).toFixed(0)} s per row` : `${s.runs} timed runs`;
  const out = [
    `nnrt ${report.nnrt} bench, ${report.date.slice(0, 16).replace('T', ' ')} UTC — ${describeHardware(report.hardware)}`,
    `${s.batch !== undefined ? `batch ${s.batch}; ` : ''}${s.warmup} warm-up runs${s.warmup > 0 && s.warmupMs ? ` (at least ${s.warmupMs} ms)` : ''}${s.warmup > 0 && s.steadyMs ? `, then until steady (at most ${s.steadyMs} ms)` : ''}, ${runs}; ${s.timing}`,
  ];
  for (const m of report.models) out.push('', ...modelTable(m));
  return out;
}
