// The bench as an SVG bar chart (our own markup, no library): one group per model, one horizontal
// bar per runner with its median latency, a tick at p90, and date and hardware in the title.
import type { BenchReport, ModelReport } from './types.js';

const WIDTH = 1000;
const LABEL_W = 300;
const BAR_W = 520;
const P90_ROOM = 60;
const ROW_H = 22;
const BAR_H = 14;
const HEAD_H = 28;
const TOP = 84;
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const num = (x: number) => Number(x.toFixed(1));

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * One model's group: a heading, then a bar (or an 'n/a' note) per row. Bars scale to the group's
 * slowest median; the p90 whisker may reach past it, up to P90_ROOM.
 */
function modelGroup(m: ModelReport, y0: number, colorOf: (id: string) => string): { svg: string[]; height: number } {
  const inputs = m.inputs.map((i) => `[${i.shape.join(',')}]`).join(' ');
  const svg = [`<text class="model" x="10" y="${y0 + 18}">${escapeXml(`${m.model} ${inputs}`)}</text>`];
  const slowest = Math.max(0, ...m.rows.map((r) => r.timing?.median ?? 0));
  let y = y0 + HEAD_H;
  for (const r of m.rows) {
    const label = r.mode === 'resident' ? `${r.label} · on device` : r.mode === 'stream' ? `${r.label} · back to back` : r.label;
    svg.push(`<text class="label" x="${LABEL_W - 8}" y="${y + BAR_H - 2}" text-anchor="end">${escapeXml(clip(label, 48))}</text>`);
    if (r.status === 'ok' && r.timing && slowest > 0) {
      const w = Math.max(1, (r.timing.median / slowest) * BAR_W);
      const p90 = Math.min(BAR_W + P90_ROOM, (r.timing.p90 / slowest) * BAR_W);
      const mid = y + BAR_H / 2;
      const tip = `${label}: median ${fmt(r.timing.median)} ms, p90 ${fmt(r.timing.p90)} ms over ${r.timing.runs} runs`;
      svg.push(
        `<rect class="bar" data-model="${escapeXml(m.model)}" data-runner="${escapeXml(r.id)}" x="${LABEL_W}" y="${y}" width="${num(w)}" height="${BAR_H}" fill="${colorOf(r.id)}"><title>${escapeXml(tip)}</title></rect>`,
        `<path class="p90" d="M${num(LABEL_W + w)} ${mid}H${num(LABEL_W + p90)}M${num(LABEL_W + p90)} ${y + 3}V${y + BAR_H - 3}" stroke="#444" fill="none"/>`,
        `<text class="value" x="${num(LABEL_W + Math.max(w, p90) + 6)}" y="${y + BAR_H - 2}">${fmt(r.timing.median)} ms</text>`,
      );
    } else {
      svg.push(`<text class="na" x="${LABEL_W}" y="${y + BAR_H - 2}">${escapeXml(clip(`n/a${r.reason ? ` — ${r.reason}` : ''}`, 100))}</text>`);
    }
    y += ROW_H;
  }
  return { svg, height: y - y0 + 10 };
}

/** The chart as a standalone SVG document. */
export function benchChartSvg(report: BenchReport): string {
  const colors = new Map<string, string>();
  const colorOf = (id: string) => {
    if (!colors.has(id)) colors.set(id, PALETTE[colors.size % PALETTE.length]!);
    return colors.get(id)!;
  };
  const body: string[] = [];
  let y = TOP;
  for (const m of report.models) {
    const g = modelGroup(m, y, colorOf);
    body.push(...g.svg);
    y += g.height;
  }
  const height = y + 30;
  const date = report.date.slice(0, 16).replace('T', ' ');
  const h = report.hardware;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    '<style>.title{font-size:16px;font-weight:bold}.subtitle{fill:#555}.model{font-weight:bold}.na{fill:#999;font-style:italic}.note{fill:#777;font-size:11px}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    `<text class="title" x="10" y="24">${escapeXml(`nnrt ${report.nnrt} bench — median latency per inference (ms, shorter is faster)`)}</text>`,
    `<text class="subtitle" x="10" y="44">${escapeXml(`${date} UTC — ${h.cpu} × ${h.cores} cores, ${h.platform}, Node ${h.node}`)}</text>`,
    `<text class="subtitle" x="10" y="62">${escapeXml(clip(`GPU: ${h.gpu ?? 'not used'}`, 150))}</text>`,
    ...body,
    `<text class="note" x="10" y="${height - 12}">${escapeXml('Bars: median, each run timed end to end (inputs in, outputs read back) or, marked on device, with inputs and outputs left on the GPU; whisker: p90. Each model is scaled to its slowest median.')}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
