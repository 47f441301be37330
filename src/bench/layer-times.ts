// The `--layer-times` report of `nnrt bench`: for each engine row, each engine's layers slowest
// first (name, kind, tactic, the IR nodes it covers, GPU time, share), the top N and the rest in
// one line, and the sum of the layers beside the engine's whole time so the two can be compared.
import type { BenchReport, EngineLayerTimes } from './types.js';

const ms = (v: number) => (v >= 1 ? v.toFixed(3) : v.toFixed(4));
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** IR node names, shortened to fit a line ('a + b + 3 more'). */
function nodes(from: readonly string[], width = 60): string {
  const all = from.join(' + ');
  if (all.length <= width) return all;
  const kept: string[] = [];
  for (const n of from) {
    if ([...kept, n].join(' + ').length > width - 12) break;
    kept.push(n);
  }
  return `${kept.join(' + ')}${kept.length ? ' + ' : ''}${from.length - kept.length} more`;
}

/** Lines for one engine's profile. */
export function engineLayerLines(p: EngineLayerTimes, top = 25): string[] {
  const shown = p.layers.slice(0, top);
  const rest = p.layers.slice(top);
  const w = Math.max(5, ...shown.map((l) => l.name.length));
  const k = Math.max(4, ...shown.map((l) => l.kind.length));
  const t = Math.max(6, ...shown.map((l) => l.tactic.length));
  const lines = [
    `  ${p.engine}: ${p.layers.length} layers that run programs, ${p.method}, median of ${p.reps} rounds`,
    `    ${'#'.padStart(3)}  ${'layer'.padEnd(w)}  ${'kind'.padEnd(k)}  ${'tactic'.padEnd(t)}  ${'ms'.padStart(8)}  ${'share'.padStart(6)}  IR nodes`,
  ];
  shown.forEach((l, i) => {
    lines.push(`    ${String(i + 1).padStart(3)}  ${l.name.padEnd(w)}  ${l.kind.padEnd(k)}  ${l.tactic.padEnd(t)}  ${ms(l.ms).padStart(8)}  ${pct(l.share).padStart(6)}  ${nodes(l.from)}`);
    if (l.programs) lines.push(`    ${''.padStart(3)}  ${`its ${l.programs.length} programs, each timed alone:`.padEnd(w)}  ${l.programs.map(ms).join(' + ')} ms`);
  });
  if (rest.length) {
    const sum = rest.reduce((a, l) => a + l.ms, 0);
    lines.push(`    ${''.padStart(3)}  ${`${rest.length} more layers`.padEnd(w + k + t + 4)}  ${ms(sum).padStart(8)}  ${pct(p.layerSumMs > 0 ? sum / p.layerSumMs : 0).padStart(6)}`);
  }
  const ratio = p.engineMs > 0 ? ` (${(p.layerSumMs / p.engineMs).toFixed(2)}× the whole run)` : '';
  lines.push(`    total: layers ${ms(p.layerSumMs)} ms${ratio}; whole engine as one pass ${ms(p.engineMs)} ms`);
  return lines;
}

/** Every row's layer profiles, under a heading per model and row; empty when no row has one. */
export function layerTimesTable(report: BenchReport, top = 25): string[] {
  const lines: string[] = [];
  for (const m of report.models) {
    for (const r of m.rows) {
      if (!r.layerTimes?.length) continue;
      lines.push('', `per-layer times: ${m.model} · ${r.label}${r.mode === 'resident' ? ' (on device)' : r.mode === 'stream' ? ' (back to back)' : ''}`);
      for (const p of r.layerTimes) lines.push(...engineLayerLines(p, top));
    }
  }
  return lines;
}
