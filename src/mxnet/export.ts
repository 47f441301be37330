// nnrt IR graph → MXNet checkpoint (symbol JSON + V2 .params), for graphs whose ops all have an
// MXNet equivalent (the table in export-ops.ts); any other op is refused naming the node.
import { UnsupportedError } from '../errors.js';
import { nodeWhere, ONNX_DOMAIN, type Graph } from '../ir/graph.js';
import { inferShapes, type KnownValue } from '../ir/infer.js';
import { topoSort } from '../ir/topo.js';
import { opTyper } from '../ops/typer.js';
import '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { flagOfMxDType, mxDTypeOf } from './dtype.js';
import { fmt, MX_EXPORTERS, type ExportContext } from './export-ops.js';
import { writeParams, type MxArray } from './params.js';
import { mxOutputCount, writeSymbol, type MxEntry, type MxNode, type MxSymbol } from './symbol.js';

export interface MxExported {
  symbolJson: string;
  params: Uint8Array;
  symbol: MxSymbol;
}

/** The mxnet_version written: the layout is MXNet 1.9.1's. */
const EXPORT_VERSION = 10901;

/** BatchNorm inputs 3 and 4 are auxiliary states (`aux:` params); everything else is `arg:`. */
const AUX_INPUTS: Record<string, number[]> = { BatchNormalization: [3, 4] };

export function exportMxnet(graph: Graph): MxExported {
  let known = new Map<string, KnownValue>();
  try {
    known = inferShapes(graph.clone(), opTyper);
  } catch {
    // symbolic input dims: shapes stay unknown except for constants, which is all most exporters need
    for (const [k, t] of graph.initializers) known.set(k, { dtype: t.dtype, shape: t.shape, value: t });
  }
  const nodes: MxNode[] = [];
  const entries = new Map<string, MxEntry>();
  const arrays: MxArray[] = [];
  const names = new Set<string>();

  /** The variable for IR value `value` (created on first use; named after it where the name is free). */
  const variable = (value: string, attrs: Record<string, string>, param?: { tensor: Tensor; aux: boolean }): MxEntry => {
    const existing = entries.get(value);
    if (existing) return existing;
    const name = uniqueName(value, names);
    names.add(name);
    nodes.push({ op: 'null', name, attrs, inputs: [], numOutputs: 1 });
    const e = { node: nodes.length - 1, index: 0, version: 0 };
    entries.set(value, e);
    if (param) {
      // MXNet's V2 layout has no 0-d arrays: scalars are written as shape (1,)
      const t = param.tensor.rank === 0 ? param.tensor.reshape([1]) : param.tensor;
      arrays.push({ name: `${param.aux ? 'aux' : 'arg'}:${name}`, tensor: t });
    }
    return e;
  };

  for (const v of graph.inputs) {
    if (graph.initializers.has(v.name)) continue;
    const attrs: Record<string, string> = {};
    if (v.shape.every((d) => typeof d === 'number' && d > 0)) attrs.__shape__ = fmt(v.shape as number[]);
    if (v.dtype !== 'float32') attrs.__dtype__ = String(flagOfMxDType(mxDTypeOf(v.dtype)));
    variable(v.name, attrs);
  }

  for (const node of topoSort(graph)) {
    const where = nodeWhere(node);
    const exporter = node.domain === ONNX_DOMAIN ? MX_EXPORTERS[node.opType] : undefined;
    if (!exporter) {
      throw new UnsupportedError(`cannot export to MXNet: op ${node.opType} has no MXNet equivalent here`, {
        where, hint: `exportable ops: ${Object.keys(MX_EXPORTERS).sort().join(', ')}`,
      });
    }
    const handles = new Map<string, MxEntry>();
    const refOf = (i: number, replacement?: Tensor): string => {
      const name = node.inputs[i];
      if (!name) throw new UnsupportedError(`input ${i} is missing`, { where });
      const init = graph.initializers.get(name);
      let e: MxEntry | undefined;
      if (replacement) e = variable(uniqueName(`${node.name}_${i}`, names), {}, { tensor: replacement, aux: false });
      else if (init) e = variable(name, {}, { tensor: init, aux: (AUX_INPUTS[node.opType] ?? []).includes(i) });
      else e = entries.get(name);
      if (!e) throw new UnsupportedError(`input '${name}' is not produced by any exported node`, { where });
      const handle = `#${handles.size}`;
      handles.set(handle, e);
      return handle;
    };
    const ctx: ExportContext = {
      node,
      where,
      tensor: (i) => refOf(i),
      tensorAs: (i, t) => refOf(i, t),
      constant: (i) => (node.inputs[i] ? graph.initializers.get(node.inputs[i]!) : undefined),
      shapeOf: (v) => known.get(v)?.shape,
    };
    const out = exporter(ctx);
    const name = uniqueName(node.name || node.opType.toLowerCase(), names);
    names.add(name);
    nodes.push({ op: out.op, name, attrs: out.attrs, inputs: out.inputs.map((h) => handles.get(h)!), numOutputs: mxOutputCount(out.op, out.attrs, where) });
    node.outputs.forEach((o, index) => o && entries.set(o, { node: nodes.length - 1, index, version: 0 }));
  }

  const heads = graph.outputs.map((o) => {
    const init = graph.initializers.get(o.name);
    const e = entries.get(o.name) ?? (init ? variable(o.name, {}, { tensor: init, aux: false }) : undefined);
    if (!e) throw new UnsupportedError(`graph output '${o.name}' is not produced by any exported node`);
    return e;
  });
  const symbol: MxSymbol = {
    nodes,
    argNodes: nodes.flatMap((n, i) => (n.op === 'null' ? [i] : [])),
    heads,
    attrs: { mxnet_version: ['int', EXPORT_VERSION] },
    version: EXPORT_VERSION,
  };
  return { symbolJson: writeSymbol(symbol), params: writeParams({ arrays, named: true }), symbol };
}

function uniqueName(hint: string, taken: Set<string>): string {
  if (!taken.has(hint)) return hint;
  let k = 1;
  while (taken.has(`${hint}_${k}`)) k++;
  return `${hint}_${k}`;
}
