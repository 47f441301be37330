// Draws a partition as one SVG with two panels: the graph before (each node colored by the engine
// subgraph that takes it; declined nodes grey with a red edge, too-small clusters dashed) and after
// (framework nodes grey, each engine node highlighted with its node count). Layout by dagre; the
// SVG text is written here. Nodes carry class and data-* attributes so tools and tests can find them.
import dagre, { type Edge, type EdgeLabel, type GraphLabel, type NodeLabel } from '@dagrejs/dagre';
import type { Graph } from '../ir/graph.js';
import { isEngineNode } from './engine-op.js';
import { FOLDED_REASON } from './partition.js';
import type { PartitionResult } from './types.js';

interface DrawNode {
  id: string;
  label: string;
  sub?: string;
  cls: 'node' | 'engine' | 'declined' | 'folded' | 'small' | 'io';
  fill: string;
  /** Tooltip: name, op, reason. */
  title: string;
  attrs?: Record<string, string | number>;
}

interface Panel {
  title: string;
  legend?: string;
  nodes: DrawNode[];
  edges: [string, string][];
}

const PALETTE = ['#8ecae6', '#ffb703', '#90be6d', '#f4a261', '#cdb4db', '#80ed99', '#f28482', '#a3c4f3', '#ffd6a5', '#b5e48c'];
const FRAMEWORK_FILL = '#e9ecef';
const FONT = 12;
const CHAR_W = 7; // approximate advance of the 12px sans-serif font, for box widths
const TITLE_CHAR_W = 9.5; // the bold 15px title

export const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** The drawable form of a graph: op nodes, graph inputs/outputs as small 'io' boxes, data edges. */
function panelOf(graph: Graph, title: string, style: (id: string) => Omit<DrawNode, 'id' | 'title'> & { title?: string }): Panel {
  const nodes: DrawNode[] = [];
  const edges: [string, string][] = [];
  const producerId = new Map<string, string>();
  const modelInputs = graph.inputs.filter((v) => !graph.initializers.has(v.name));
  for (const v of modelInputs) {
    nodes.push({ id: `in:${v.name}`, label: v.name, cls: 'io', fill: '#ffffff', title: `input ${v.name} [${v.shape.join(',')}]` });
    producerId.set(v.name, `in:${v.name}`);
  }
  graph.nodes.forEach((n, i) => {
    const id = `n${i}:${n.name}`;
    for (const o of n.outputs) if (o) producerId.set(o, id);
    const s = style(n.name);
    nodes.push({ id, ...s, title: s.title ?? `${n.name} (${n.opType})` });
  });
  graph.nodes.forEach((n, i) => {
    const seen = new Set<string>();
    for (const input of n.inputs) {
      const from = input ? producerId.get(input) : undefined;
      if (from && !seen.has(from)) seen.add(from), edges.push([from, `n${i}:${n.name}`]);
    }
  });
  for (const o of graph.outputs) {
    nodes.push({ id: `out:${o.name}`, label: o.name, cls: 'io', fill: '#ffffff', title: `output ${o.name}` });
    const from = producerId.get(o.name);
    if (from) edges.push([from, `out:${o.name}`]);
  }
  return { title, nodes, edges };
}

interface Laid {
  panel: Panel;
  width: number;
  height: number;
  pos: Map<string, { x: number; y: number; w: number; h: number }>;
  routes: { x: number; y: number }[][];
}

function layoutPanel(panel: Panel): Laid {
  const g = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>();
  g.setGraph({ rankdir: 'TB', nodesep: 16, ranksep: 28, marginx: 16, marginy: 56 });
  g.setDefaultEdgeLabel(() => ({}));
  const size = (n: DrawNode) => ({
    width: Math.max(n.label.length, n.sub?.length ?? 0) * CHAR_W + 20,
    height: n.cls === 'io' ? 22 : n.sub ? 38 : 26,
  });
  for (const n of panel.nodes) g.setNode(n.id, size(n));
  for (const [a, b] of panel.edges) g.setEdge(a, b);
  dagre.layout(g);
  const pos = new Map(panel.nodes.map((n) => {
    const l = g.node(n.id);
    return [n.id, { x: l.x ?? 0, y: l.y ?? 0, w: l.width, h: l.height }];
  }));
  const routes = g.edges().map((e: Edge) => g.edge(e).points ?? []);
  const label = g.graph();
  const textWidth = Math.max(panel.title.length * TITLE_CHAR_W, (panel.legend?.length ?? 0) * CHAR_W) + 32;
  return { panel, width: Math.max(label.width ?? 0, textWidth), height: label.height ?? 0, pos, routes };
}

function drawPanel(l: Laid, dx: number): string[] {
  const out = [`<g class="panel" data-title="${escapeXml(l.panel.title)}" transform="translate(${dx},0)">`];
  out.push(`<text x="16" y="24" font-size="15" font-weight="bold">${escapeXml(l.panel.title)}</text>`);
  if (l.panel.legend) out.push(`<text class="legend" x="16" y="42">${escapeXml(l.panel.legend)}</text>`);
  for (const pts of l.routes) {
    if (pts.length < 2) continue;
    out.push(`<polyline class="edge" points="${pts.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')}" marker-end="url(#arrow)"/>`);
  }
  for (const n of l.panel.nodes) {
    const p = l.pos.get(n.id)!;
    const data = Object.entries(n.attrs ?? {}).map(([k, v]) => ` data-${k}="${escapeXml(String(v))}"`).join('');
    const rx = n.cls === 'io' ? 11 : 5;
    out.push(`<g class="${n.cls}"${data}>`);
    out.push(`<title>${escapeXml(n.title)}</title>`);
    out.push(`<rect x="${(p.x - p.w / 2).toFixed(1)}" y="${(p.y - p.h / 2).toFixed(1)}" width="${p.w.toFixed(1)}" height="${p.h.toFixed(1)}" rx="${rx}" fill="${n.fill}"/>`);
    const textY = n.sub ? p.y - 3 : p.y + 4;
    out.push(`<text x="${p.x.toFixed(1)}" y="${textY.toFixed(1)}" text-anchor="middle"${n.cls === 'engine' ? ' font-weight="bold"' : ''}>${escapeXml(n.label)}</text>`);
    if (n.sub) out.push(`<text x="${p.x.toFixed(1)}" y="${(p.y + 12).toFixed(1)}" text-anchor="middle" font-size="10">${escapeXml(n.sub)}</text>`);
    out.push('</g>');
  }
  out.push('</g>');
  return out;
}

/** The SVG document for `before` (the partitioned graph) and `after` (applyPartition's graph). */
export function partitionSvg(before: Graph, after: Graph, result: PartitionResult): string {
  const subOf = new Map<string, number>();
  for (const s of result.subgraphs) for (const n of s.nodes) subOf.set(n, s.id);
  const declined = new Map(result.declined.map((d) => [d.node, d]));
  const small = new Set(result.tooSmall.flatMap((c) => c.nodes));
  const opOf = new Map(before.nodes.map((n) => [n.name, n.opType]));
  // past the palette, hues step by the golden angle so no two engines share a colour
  const color = (id: number) => PALETTE[id] ?? `hsl(${((id - PALETTE.length) * 137.508) % 360 | 0}, 60%, 75%)`;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

  const beforePanel = panelOf(before, `before: ${plural(before.nodes.length, 'node')}`, (name) => {
    const op = opOf.get(name)!;
    const id = subOf.get(name);
    if (id !== undefined) return { label: op, cls: 'node', fill: color(id), title: `${name} (${op}) → engine_${id}`, attrs: { subgraph: id } };
    const d = declined.get(name);
    // a node whose outputs shape inference already knows is folded, not declined: nothing to run
    if (d?.reason === FOLDED_REASON) return { label: op, cls: 'folded', fill: FRAMEWORK_FILL, title: `${name} (${op}) folded before running: its outputs are constants` };
    if (d) return { label: op, cls: 'declined', fill: FRAMEWORK_FILL, title: `${name} (${op}) declined: ${d.reason}` };
    if (small.has(name)) return { label: op, cls: 'small', fill: FRAMEWORK_FILL, title: `${name} (${op}) supported, but its cluster is below the minimum size ${result.minSubgraphSize}` };
    return { label: op, cls: 'node', fill: FRAMEWORK_FILL };
  });

  const afterNodes = new Map(after.nodes.map((n) => [n.name, n]));
  const afterPanel = panelOf(after, `after: ${plural(after.nodes.length, 'node')}, ${plural(result.subgraphs.length, 'engine')}`, (name) => {
    const n = afterNodes.get(name)!;
    if (!isEngineNode(n)) return { label: n.opType, cls: 'node', fill: FRAMEWORK_FILL };
    const count = n.subgraph.nodes.length;
    const id = n.subgraphId;
    return {
      label: `Engine ${name}`, sub: `${count} node${count === 1 ? '' : 's'}`, cls: 'engine', fill: color(id),
      title: `${name}: ${plural(count, 'node')} (${Object.entries(result.subgraphs.find((s) => s.id === id)?.ops ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')})`,
      attrs: { 'node-count': count, subgraph: id },
    };
  });

  beforePanel.legend = 'colour: engine subgraph · red border: declined · dotted border: folded constant · dashed: below min size';
  afterPanel.legend = 'framework nodes grey; engine nodes bold, with their node count';
  const laid = [layoutPanel(beforePanel), layoutPanel(afterPanel)];
  const gap = 48;
  const width = Math.ceil(laid[0]!.width + gap + laid[1]!.width);
  const height = Math.ceil(Math.max(laid[0]!.height, laid[1]!.height));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="${FONT}">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    '<style>.edge{fill:none;stroke:#555;stroke-width:1}rect{stroke:#333;stroke-width:1}.declined rect{stroke:#c1121f;stroke-width:2}.folded rect{stroke:#adb5bd;stroke-dasharray:1 2}'
      + '.small rect{stroke-dasharray:4 3}.engine rect{stroke:#023047;stroke-width:2.5}.legend{fill:#555;font-size:11px}.background{stroke:none}</style>',
    `<rect class="background" x="0" y="0" width="${width}" height="${height}" fill="#ffffff" stroke="none"/>`,
    ...drawPanel(laid[0]!, 0),
    `<line x1="${laid[0]!.width + gap / 2}" y1="8" x2="${laid[0]!.width + gap / 2}" y2="${height - 8}" stroke="#adb5bd" stroke-dasharray="6 4"/>`,
    ...drawPanel(laid[1]!, laid[0]!.width + gap),
    '</svg>',
    '',
  ].join('\n');
}
