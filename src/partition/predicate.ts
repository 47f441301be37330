// "Is this node supported?" as small composable predicates (PyTorch FX's operator_support style),
// kept apart from the partitioning algorithm. A predicate answers `true` or a reason that says why
// the node is declined; reasons end up, verbatim, in the partition report.
import type { Graph, Node } from '../ir/graph.js';
import type { KnownValue } from '../ir/infer.js';
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';

/** `true`, or the reason the node is declined. */
export type Verdict = true | string;

/** What a predicate may look at: the graph and every value's inferred type (and value, when constant). */
export interface SupportContext {
  graph: Graph;
  types: ReadonlyMap<string, KnownValue>;
}

export type SupportPredicate = (node: Node, ctx: SupportContext) => Verdict;

/** All must pass; the first decline wins (so put cheap, general checks first). */
export function chain(...preds: SupportPredicate[]): SupportPredicate {
  return (node, ctx) => {
    for (const p of preds) {
      const v = p(node, ctx);
      if (v !== true) return v;
    }
    return true;
  };
}

/** The first that passes wins; when none does, the reasons are joined with ' or '. */
export function anyOf(...preds: SupportPredicate[]): SupportPredicate {
  return (node, ctx) => {
    const reasons: string[] = [];
    for (const p of preds) {
      const v = p(node, ctx);
      if (v === true) return true;
      reasons.push(v);
    }
    return reasons.join(' or ') || 'no rule accepts it';
  };
}

/** Declines with `reason` when `cond` holds. */
export function declineIf(cond: (node: Node, ctx: SupportContext) => boolean, reason: string | ((node: Node, ctx: SupportContext) => string)): SupportPredicate {
  return (node, ctx) => (cond(node, ctx) ? (typeof reason === 'string' ? reason : reason(node, ctx)) : true);
}

/** Passes when `check` returns undefined, else declines with the message it returned. */
export function check(fn: (node: Node, ctx: SupportContext) => string | undefined): SupportPredicate {
  return (node, ctx) => fn(node, ctx) ?? true;
}

// ---- helpers for rules --------------------------------------------------------------------------

const producerCache = new WeakMap<readonly Node[], { count: number; producers: Map<string, Node> }>();
function producerOf(name: string, graph: Graph): Node | undefined {
  let c = producerCache.get(graph.nodes);
  if (!c || c.count !== graph.nodes.length) producerCache.set(graph.nodes, (c = { count: graph.nodes.length, producers: graph.producers() }));
  return c.producers.get(name);
}

/**
 * A value's constant tensor: an initializer, a value shape inference folded, or an Identity of
 * a constant (TorchScript exports route shared weights through Identity nodes; weights too large
 * for inference to fold would otherwise look like run-time values).
 */
export function constantOf(name: string, ctx: SupportContext): Tensor | undefined {
  for (let v = name, hops = 0; hops < 64; hops++) {
    const t = ctx.graph.initializers.get(v) ?? ctx.types.get(v)?.value;
    if (t) return t;
    const p = producerOf(v, ctx.graph);
    if (!p || p.opType !== 'Identity' || p.domain !== '' || !p.inputs[0]) return undefined;
    v = p.inputs[0];
  }
  return undefined;
}

/** An int/float attribute as written on the node, or `fallback` when absent. */
export function attrNumber(node: Node, name: string, fallback: number): number {
  const a = node.attrs[name];
  return a && (a.type === 'int' || a.type === 'float') ? a.value : fallback;
}

const fmt = (shape: readonly number[]) => `[${shape.join(',')}]`;
export { fmt as formatShape };

// ---- constraint builders ------------------------------------------------------------------------

/** Every listed (non-omitted) input and output 0 is one of `dtypes` and has a known static shape. */
export function dtypesAndShapes(dtypes: readonly DType[], dataInputs?: readonly number[]): SupportPredicate {
  return (node, ctx) => {
    const idx = dataInputs ?? node.inputs.map((_, i) => i);
    const names = [...idx.map((i) => node.inputs[i] ?? ''), node.outputs[0] ?? ''].filter((n) => n);
    for (const name of names) {
      const t = ctx.types.get(name);
      if (!t) return `the shape of '${name}' is not known`;
      if (!dtypes.includes(t.dtype)) return `dtype ${t.dtype} (the engine computes ${dtypes.join(', ')} only)`;
      if (t.shape.some((d) => !Number.isInteger(d) || d < 0)) return `the shape of '${name}' is not static`;
      // engine kernels index per element and divide by extents: an empty tensor has nothing to compute
      if (t.shape.some((d) => d === 0)) return `'${name}' is empty (shape ${fmt(t.shape)})`;
    }
    return true;
  };
}

/** Input `index` has one of `ranks`; `what` names the case for the reason ("3-D convolution"). */
export function inputRank(index: number, ranks: readonly number[], describe?: (rank: number) => string): SupportPredicate {
  return (node, ctx) => {
    const t = ctx.types.get(node.inputs[index] ?? '');
    if (!t) return `the shape of input ${index} is not known`;
    if (ranks.includes(t.shape.length)) return true;
    return `${node.opType}: ${describe ? describe(t.shape.length) : `input ${index} has rank ${t.shape.length}; supported ranks are ${ranks.join(', ')}`}`;
  };
}

/** Input `index` is a constant (`optional`: or omitted); `label` names it in the reason. */
export function constantInput(index: number, label: string, optional = false): SupportPredicate {
  return (node, ctx) => {
    const name = node.inputs[index] ?? '';
    if (!name) return optional ? true : `${node.opType}: ${label} is missing`;
    return constantOf(name, ctx) ? true : `${node.opType}: ${label} ${label.endsWith('s') ? 'are' : 'is'} not a constant`;
  };
}

/** The attribute (as written, else its ONNX default) equals `value`. */
export function attrEquals(name: string, value: number, fallback: number): SupportPredicate {
  return (node) => {
    const v = attrNumber(node, name, fallback);
    return v === value ? true : `${node.opType}: ${name} = ${v} is not supported (only ${value})`;
  };
}

/** Output `index` is absent, or present but consumed by nobody and not a graph output. */
export function outputUnused(index: number, label: string): SupportPredicate {
  return (node, ctx) => {
    const name = node.outputs[index];
    if (!name) return true;
    const used = ctx.graph.nodes.some((n) => n.inputs.includes(name)) || ctx.graph.outputs.some((o) => o.name === name);
    return used ? `${node.opType}: the ${label} output is used` : true;
  };
}

/** Per-op rules, plus a decline for every op not in the table (naming the backend). */
export function byTable(backend: string, table: Readonly<Record<string, SupportPredicate>>): SupportPredicate {
  return (node, ctx) => {
    const rule = node.domain === '' && Object.hasOwn(table, node.opType) ? table[node.opType] : undefined;
    if (!rule) return `op ${node.domain ? node.domain + '.' : ''}${node.opType} is not supported by the ${backend} engine`;
    return rule(node, ctx);
  };
}
