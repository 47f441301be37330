import { loadModelFromFile, type ModelFileOptions } from '../node/load-model.js';
import { inferShapes } from '../ir/infer.js';
import { opTyper } from '../ops/index.js';
import { NnrtError, UsageError } from '../errors.js';
import { BYTES_PER_ELEMENT } from '../tensor/dtype.js';
import { writeFileAtomic } from '../node/atomic-write.js';
import type { Graph } from '../ir/graph.js';
import type { KnownValue } from '../ir/infer.js';
import { applyPartition, partitionGraph, partitionWithFallback } from '../partition/index.js';
import { backendSupport, backendVerifier } from '../runtime/backends.js';
import { formatPartitionReport, partitionReport, type PartitionReport } from '../partition/report.js';
import { partitionSvg } from '../partition/svg.js';

export interface InspectOptions extends ModelFileOptions {
  json?: boolean;
  /** Partition for this engine backend and report the subgraphs ('webgpu'). */
  partition?: string;
  excludeOps?: string[];
  excludeNodes?: string[];
  minSubgraphSize?: number;
  /** Write the before/after partition drawing to this SVG file. */
  svg?: string;
}

function checkPartitionFlags(opts: InspectOptions): void {
  if (opts.partition !== undefined) return;
  const stray = [['--exclude-ops', opts.excludeOps], ['--exclude-nodes', opts.excludeNodes], ['--min-subgraph-size', opts.minSubgraphSize], ['--svg', opts.svg]]
    .filter(([, v]) => v !== undefined).map(([k]) => k);
  if (stray.length) throw new UsageError(`${stray.join(', ')} ${stray.length === 1 ? 'applies' : 'apply'} only with --partition BACKEND`, { hint: 'e.g. nnrt inspect model.onnx --partition webgpu' });
}

/**
 * Partitions the (already shape-inferred) graph, with the fallbacks a dry build of each subgraph
 * finds (fp32, WebGPU's minimum device limits); writes the SVG when asked.
 */
function partitionSection(g: Graph, types: Map<string, KnownValue>, opts: InspectOptions & { partition: string }): PartitionReport {
  const supports = backendSupport(opts.partition);
  const { result, applied } = partitionWithFallback(g, types, {
    supports, backend: opts.partition,
    ...(opts.minSubgraphSize !== undefined ? { minSubgraphSize: opts.minSubgraphSize } : {}),
    ...(opts.excludeOps ? { excludeOps: opts.excludeOps } : {}),
    ...(opts.excludeNodes ? { excludeNodes: opts.excludeNodes } : {}),
  }, backendVerifier(opts.partition));
  if (opts.svg) writeFileAtomic(opts.svg, partitionSvg(g, applied.graph, result));
  return partitionReport(result, applied.weightBytes);
}

const fmtBytes = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(2)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

/** `nnrt inspect MODEL`: inputs, outputs, opset, op counts, parameter count and bytes. */
export function inspect(model: string, opts: InspectOptions, out: (s: string) => void): number {
  checkPartitionFlags(opts);
  if (opts.partition !== undefined) backendSupport(opts.partition); // a bad backend fails before the model loads
  const m = loadModelFromFile(model, opts);
  const g = m.graph;
  const ops = new Map<string, number>();
  for (const n of g.nodes) {
    const k = n.domain ? `${n.domain}.${n.opType}` : n.opType;
    ops.set(k, (ops.get(k) ?? 0) + 1);
  }
  let params = 0;
  let bytes = 0;
  for (const t of g.initializers.values()) {
    params += t.size;
    bytes += t.size * BYTES_PER_ELEMENT[t.dtype];
  }
  // output types: declared, else inferred with symbolic input dims bound to 1
  let inferNote: string | undefined;
  let types: Map<string, KnownValue> | undefined;
  try {
    const shapes = Object.fromEntries(g.inputs.map((v) => [v.name, v.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : 1))]));
    types = inferShapes(g, opTyper, shapes);
    if (g.inputs.some((v) => v.shape.some((d) => typeof d !== 'number'))) inferNote = 'inferred with symbolic dims = 1';
  } catch (e) {
    inferNote = `shape inference failed: ${e instanceof NnrtError ? e.message : String(e)}`;
    // the partitioner decides on types: without them there is nothing to report
    if (opts.partition !== undefined) throw e;
  }
  const partition = opts.partition !== undefined && types ? partitionSection(g, types, { ...opts, partition: opts.partition }) : undefined;
  const outputs = g.outputs.map((o) => {
    // by map: typeOf scans the output list, quadratic on a model with 50,000 outputs
    const t = o.dtype && o.shape ? undefined : (types?.get(o.name) ?? g.valueInfo.get(o.name));
    return { name: o.name, dtype: o.dtype ?? t?.dtype, shape: o.shape ?? t?.shape };
  });
  const sortedOps = [...ops.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const info = {
    model, format: m.format, producer: m.producer, irVersion: m.irVersion, opsets: Object.fromEntries([...g.opsets].map(([d, v]) => [d || 'ai.onnx', v])),
    inputs: g.inputs.map((v) => ({ name: v.name, dtype: v.dtype, shape: v.shape })), outputs,
    nodes: g.nodes.length, ops: Object.fromEntries(sortedOps), parameters: params, parameterBytes: bytes, ...(inferNote ? { note: inferNote } : {}),
    ...(partition ? { partition } : {}),
  };
  if (opts.json) {
    out(JSON.stringify(info, null, 2));
    return 0;
  }
  out(`model     ${m.describe}${m.producer ? `  (${m.producer}, IR v${m.irVersion})` : ''}`);
  out(`opsets    ${Object.entries(info.opsets).map(([d, v]) => `${d} ${v}`).join(', ')}`);
  for (const v of info.inputs) out(`input     ${v.name}  ${v.dtype}[${v.shape.join(',')}]`);
  for (const v of outputs) out(`output    ${v.name}  ${v.dtype ?? '?'}[${v.shape?.join(',') ?? '?'}]`);
  if (inferNote) out(`note      ${inferNote}`);
  out(`nodes     ${g.nodes.length}: ${sortedOps.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  out(`params    ${params.toLocaleString('en-US')} (${fmtBytes(bytes)}) in ${g.initializers.size} initializers`);
  if (partition) {
    out('');
    for (const line of formatPartitionReport(partition)) out(line);
    if (opts.svg) out(`\nwrote ${opts.svg}`);
  }
  return 0;
}
