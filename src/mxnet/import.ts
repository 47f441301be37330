// MXNet checkpoint (symbol JSON + .params) → nnrt IR graph.
import { GraphError, NnrtError, ParseError, UnsupportedError, UsageError } from '../errors.js';
import type { Attrs } from '../ir/attr.js';
import { Graph, ONNX_DOMAIN, type Node, type ValueInfo } from '../ir/graph.js';
import type { KnownValue } from '../ir/infer.js';
import { findOp } from '../ops/registry.js';
import { opTyper } from '../ops/typer.js';
import '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { MxAttrs } from './attr-parse.js';
import type { ConvertContext } from './convert/context.js';
import './convert/index.js';
import { mxConverterFor, supportedMxOps } from './convert/registry.js';
import { MX_TO_NNRT, mxDTypeOfFlag } from './dtype.js';
import { readParams, type MxParams } from './params.js';
import { mxVisibleOutputs, parseSymbol, type MxEntry, type MxSymbol } from './symbol.js';

export interface MxImportOptions {
  /** Shapes of the data inputs (name → shape), as MXNet's bind takes them; else `__shape__` from the JSON. */
  inputShapes?: Record<string, readonly number[]>;
  /** Names for error messages: the symbol file and the params file. */
  source?: { symbol?: string; params?: string };
}

export interface MxImported {
  graph: Graph;
  symbol: MxSymbol;
  params: MxParams;
  /** Params no converted node reads (not in the symbol, or only on training paths); reported, not an error. */
  unusedParams: string[];
}

/** IR names: variables keep their name; op outputs are named as MXNet lists them (`conv1_output`). */
function outputName(sym: MxSymbol, e: MxEntry): string {
  const n = sym.nodes[e.node]!;
  if (n.op === 'null') return n.name;
  return mxVisibleOutputs(n.op, n.attrs) === 1 ? `${n.name}_output` : `${n.name}_output${e.index}`;
}

/** Strips `arg:`/`aux:` (what load_checkpoint does); un-prefixed keys (Gluon save_parameters) stay as they are. */
function paramTable(params: MxParams, source: string): Map<string, Tensor> {
  const table = new Map<string, Tensor>();
  if (params.arrays.length && !params.named) {
    throw new ParseError('the params file is an unnamed list: its arrays cannot be matched to the symbol\'s variables', { where: source });
  }
  for (const a of params.arrays) {
    const name = a.name.startsWith('arg:') || a.name.startsWith('aux:') ? a.name.slice(4) : a.name;
    if (table.has(name)) throw new ParseError(`parameter '${name}' appears twice`, { where: source });
    if (!a.tensor) throw new ParseError(`parameter '${a.name}' is an empty ("none") array`, { where: source });
    table.set(name, a.tensor);
  }
  return table;
}

/**
 * Imports an MXNet model: symbol JSON text and `.params` bytes (empty bytes: no params, every
 * variable becomes a graph input). Initializers come from the params; graph inputs are the
 * variables the converted graph uses that the params do not hold (labels are dropped with the
 * training heads). Shape-dependent conversions (Reshape codes, Crop, PReLU...) need input shapes.
 */
export function importMxnet(symbolJson: string, params: Uint8Array, opts: MxImportOptions = {}): MxImported {
  const symSource = opts.source?.symbol ?? 'symbol.json';
  const paramSource = opts.source?.params ?? 'params';
  const sym = parseSymbol(symbolJson, symSource);
  const parsed = params.length ? readParams(params, paramSource) : { arrays: [], named: true };
  const table = paramTable(parsed, paramSource);
  const shapes = opts.inputShapes ?? {};
  for (const name of Object.keys(shapes)) {
    if (!sym.nodes.some((n) => n.op === 'null' && n.name === name)) {
      throw new UsageError(`inputShapes names '${name}', which is not a variable of the symbol`, {
        hint: `variables not in the params: ${sym.nodes.filter((n) => n.op === 'null' && !table.has(n.name)).map((n) => n.name).join(', ')}`,
      });
    }
  }

  const known = new Map<string, KnownValue>();
  const initializers = new Map<string, Tensor>();
  const variables = new Map<string, ValueInfo>();
  // names a fresh temporary must avoid: MXNet node names and every value name the graph will have
  const used = new Set<string>(sym.nodes.flatMap((n, node) =>
    [n.name, ...Array.from({ length: n.op === 'null' ? 0 : mxVisibleOutputs(n.op, n.attrs) }, (_, index) => outputName(sym, { node, index, version: 0 }))]));
  const nodes: Node[] = [];
  let opset = 18;
  let counter = 0;
  const fresh = (hint: string) => {
    let name: string;
    do name = `${hint}__${counter++}`; while (used.has(name));
    used.add(name);
    return name;
  };

  for (const n of sym.nodes) {
    if (n.op !== 'null') continue;
    const t = table.get(n.name);
    if (t) {
      initializers.set(n.name, t);
      known.set(n.name, { dtype: t.dtype, shape: t.shape, value: t });
      continue;
    }
    const where = `${symSource}, variable '${n.name}'`;
    const a = new MxAttrs(n.attrs, where);
    const dtype = a.has('__dtype__') ? MX_TO_NNRT[mxDTypeOfFlag(a.int('__dtype__'), where)] : 'float32';
    const declared = a.has('__shape__') ? a.ints('__shape__') : undefined;
    const shape = shapes[n.name] ?? (declared && declared.length && declared.every((d) => d > 0) ? declared : undefined);
    if (shape) known.set(n.name, { dtype, shape: [...shape] });
    variables.set(n.name, { name: n.name, dtype, shape: shape ? [...shape] : [] });
  }

  const live = liveNodes(sym);
  const readValues = new Set<string>();
  sym.nodes.forEach((n, idx) => {
    if (n.op === 'null' || !live.has(idx)) return;
    const where = `${symSource}, node '${n.name}' (#${idx}, ${n.op})`;
    const convert = mxConverterFor(n.op);
    if (!convert) {
      throw new UnsupportedError(`MXNet op '${n.op}' is not supported`, { where, hint: `supported MXNet ops: ${supportedMxOps().join(', ')}` });
    }
    if (n.subgraphs) throw new UnsupportedError('control-flow ops with subgraphs are not supported', { where });
    const visible = mxVisibleOutputs(n.op, n.attrs);
    const ctx: ConvertContext = {
      node: n,
      attrs: new MxAttrs(n.attrs, where),
      where,
      inputCount: n.inputs.length,
      input(i, what) {
        const e = n.inputs[i];
        if (!e) throw new GraphError(`input ${i} (${what}) is missing: the node has ${n.inputs.length} input(s)`, { where });
        const src = sym.nodes[e.node]!;
        if (src.op !== 'null' && e.index >= mxVisibleOutputs(src.op, src.attrs)) {
          throw new UnsupportedError(`input ${i} uses output ${e.index} of '${src.name}' (${src.op}), which exists only in training`, { where });
        }
        const name = outputName(sym, e);
        readValues.add(name);
        return name;
      },
      output: (i = 0) => {
        if (i >= visible) throw new GraphError(`output ${i} requested; the node has ${visible}`, { where });
        return outputName(sym, { node: idx, index: i, version: 0 });
      },
      shapeOf: (v) => known.get(v)?.shape,
      needShape(v, why) {
        const s = known.get(v)?.shape;
        if (s) return s;
        throw new UsageError(`the shape of '${v}' is unknown, and converting needs it: ${why}`, {
          where, hint: 'give the input shapes: on the command line --shape data=1,3,224,224 (repeat per input), in the API inputShapes: { data: [1, 3, 224, 224] }',
        });
      },
      dtypeOf: (v) => known.get(v)?.dtype,
      constantOf: (v) => known.get(v)?.value,
      constant(hint, t) {
        const name = fresh(hint);
        initializers.set(name, t);
        known.set(name, { dtype: t.dtype, shape: t.shape, value: t });
        return name;
      },
      emit(opType, inputs, attrs: Attrs = {}, outputs: string[] | number = 1) {
        const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => fresh(`${n.name}_${opType}`)) : outputs;
        const irNode: Node = { name: fresh(n.name), opType, domain: ONNX_DOMAIN, inputs, outputs: outs, attrs };
        if (opType === 'Gelu') opset = Math.max(opset, 20);
        nodes.push(irNode);
        propagate(irNode, known);
        return outs;
      },
    };
    const first = nodes.length;
    try {
      convert(ctx);
      // the IR node that produces the MXNet node's output carries its name
      const main = nodes.slice(first).find((x) => x.outputs.includes(ctx.output(0)));
      if (main) main.name = n.name;
    } catch (e) {
      if (e instanceof NnrtError && e.where) throw e;
      if (e instanceof NnrtError) throw new (e.constructor as typeof NnrtError)(e.detail, { where, ...(e.hint ? { hint: e.hint } : {}), cause: e });
      throw e;
    }
  });

  const usedValues = new Set(nodes.flatMap((n) => n.inputs));
  const outputs = sym.heads.map((e) => {
    const name = outputName(sym, e);
    usedValues.add(name);
    const k = known.get(name);
    return k ? { name, dtype: k.dtype, shape: [...k.shape] } : { name };
  });
  const inputs: ValueInfo[] = [];
  for (const [name, v] of variables) {
    if (!usedValues.has(name)) continue;
    if (!known.has(name)) {
      throw new UsageError(`the shape of input '${name}' is unknown`, {
        where: symSource, hint: `give its shape: on the command line --shape ${name}=1,3,224,224, in the API inputShapes: { ${name}: [1, 3, 224, 224] }`,
      });
    }
    inputs.push(v);
  }
  for (const name of [...initializers.keys()]) if (!usedValues.has(name)) initializers.delete(name);
  const unusedParams = [...table.keys()].filter((k) => !readValues.has(k));
  const graph = new Graph({ name: 'mxnet', nodes, inputs, outputs, initializers, opsets: new Map([[ONNX_DOMAIN, opset]]) });
  return { graph, symbol: sym, params: parsed, unusedParams };
}

/** Training heads whose label input (input 1) inference does not read. */
const LOSS_HEADS = new Set(['SoftmaxOutput', 'Softmax', 'LinearRegressionOutput', 'LogisticRegressionOutput', 'MAERegressionOutput']);

/** Nodes the heads depend on at inference: a loss head's label branch is dead. */
function liveNodes(sym: MxSymbol): Set<number> {
  const live = new Set<number>();
  const stack = sym.heads.map((e) => e.node);
  while (stack.length) {
    const i = stack.pop()!;
    if (live.has(i)) continue;
    live.add(i);
    const n = sym.nodes[i]!;
    const inputs = LOSS_HEADS.has(n.op) ? n.inputs.slice(0, 1) : n.inputs;
    for (const e of inputs) stack.push(e.node);
    for (const d of n.controlDeps ?? []) stack.push(d);
  }
  return live;
}

/** Infers a new node's output types when its op is registered and its input types are known. */
function propagate(node: Node, known: Map<string, KnownValue>): void {
  if (!findOp(node.domain, node.opType)) return;
  const ins = node.inputs.map((i) => (i ? known.get(i) : undefined));
  if (node.inputs.some((name, k) => name && !ins[k])) return;
  const outs = opTyper.infer(node, ins);
  node.outputs.forEach((o, k) => {
    if (o && outs[k]) known.set(o, { dtype: outs[k]!.dtype, shape: outs[k]!.shape });
  });
}
