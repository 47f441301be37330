// The partition report: what the engine takes (subgraphs with size, ops, inputs, outputs), what
// stays in the framework and why (every declined node with its reason, clusters below the
// minimum size), and the weight bytes the outer graph keeps. As text lines or one JSON document.
import type { WeightBytes } from './apply.js';
import type { PartitionResult } from './types.js';

export interface PartitionReport extends PartitionResult {
  /** Nodes the engine takes / the framework keeps. */
  engineNodes: number;
  frameworkNodes: number;
  weightBytes: WeightBytes;
}

export function partitionReport(result: PartitionResult, weightBytes: WeightBytes): PartitionReport {
  const engineNodes = result.subgraphs.reduce((a, s) => a + s.nodes.length, 0);
  return { ...result, engineNodes, frameworkNodes: result.totalNodes - engineNodes, weightBytes };
}

export const formatBytes = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(2)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);
const opList = (ops: Record<string, number>) => Object.entries(ops).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, v]) => `${k} ${v}`).join(', ');
const list = (names: readonly string[], max = 4) => (names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} … (+${names.length - max})`);

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/** The human-readable report, one line per string. */
export function formatPartitionReport(r: PartitionReport): string[] {
  const out: string[] = [];
  const w = r.weightBytes;
  out.push(`partition ${r.backend} (min subgraph size ${r.minSubgraphSize}): ${r.totalNodes} nodes → ${r.subgraphs.length} engine subgraph${r.subgraphs.length === 1 ? '' : 's'} `
    + `with ${r.engineNodes} nodes; ${r.frameworkNodes} node${r.frameworkNodes === 1 ? '' : 's'} stay in the framework`);
  out.push(`boundary  ${r.boundaryTensors} tensor${r.boundaryTensors === 1 ? '' : 's'} cross between framework and engines`);
  out.push(`weights   ${formatBytes(w.before)} before; after: framework ${formatBytes(w.after)}, engines ${formatBytes(w.engines)}${w.shared ? ` (${formatBytes(w.shared)} shared with the framework)` : ''}`);
  if (r.subgraphs.length) {
    out.push('', 'engine subgraphs');
    out.push(...table(['id', 'nodes', 'inputs', 'outputs', 'ops'], r.subgraphs.map((s) => [
      `engine_${s.id}`, String(s.nodes.length), list(s.inputs), list(s.outputs), opList(s.ops),
    ])).map((l) => `  ${l}`));
  }
  if (r.declined.length) {
    out.push('', `declined (${r.declined.length}, run in the framework)`);
    out.push(...table(['node', 'op', 'reason'], r.declined.map((d) => [d.node, d.op, d.reason])).map((l) => `  ${l}`));
  }
  if (r.fallbacks?.length) {
    out.push('', `fell back after a dry build (${r.fallbacks.length})`);
    out.push(...table(['nodes', 'now', 'reason'], r.fallbacks.map((f) => [list(f.nodes), f.action === 'fp32' ? 'engine, fp32' : 'framework', f.reason])).map((l) => `  ${l}`));
  }
  if (r.tooSmall.length) {
    out.push('', `supported but below the minimum size (${r.tooSmall.length} cluster${r.tooSmall.length === 1 ? '' : 's'}, run in the framework)`);
    out.push(...table(['nodes', 'ops', 'names'], r.tooSmall.map((c) => [String(c.nodes.length), opList(c.ops), list(c.nodes)])).map((l) => `  ${l}`));
  }
  return out;
}
