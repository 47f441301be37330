// MXNet `-symbol.json` graphs: a reader for every version in the wild (pre-0.9 `param`/`attr` with
// 2-element entries, NNVM `attr`, current `attrs`), with MXNet's own load-time upgrades, and a
// writer of the current format in MXNet's exact layout. Format: shared/docs/MXNET_FORMATS.md §2.
import { ParseError } from '../errors.js';
import { MxAttrs } from './attr-parse.js';

/** A reference to output `index` of node `node` (an index into `nodes`). */
export interface MxEntry {
  node: number;
  index: number;
  version: number;
}

export interface MxNode {
  /** 'null' for variables (data, weights, labels, auxiliary states). */
  op: string;
  name: string;
  /** Operator parameters and user attributes, all strings ('param', 'attr' and 'attrs' merged). */
  attrs: Record<string, string>;
  inputs: MxEntry[];
  /** Outputs the node has, hidden ones included (BatchNorm: 3); decides node_row_ptr. */
  numOutputs: number;
  controlDeps?: number[];
  /** Control-flow subgraphs, kept as parsed JSON (no converter handles them). */
  subgraphs?: unknown[];
}

export interface MxSymbol {
  /** Topological order: a node's inputs come before it. */
  nodes: MxNode[];
  /** Indices of the variable nodes (arguments and auxiliary states). */
  argNodes: number[];
  heads: MxEntry[];
  /** Graph attributes in dmlc's typed form, e.g. { mxnet_version: ['int', 10500] }. */
  attrs: Record<string, unknown>;
  /** mxnet_version of the file (major·10000 + minor·100 + patch); 800 when absent (pre-0.9). */
  version: number;
}

/** Attribute names MXNet stores as `__name__` (legacy files wrote them plainly). */
const HIDDEN_KEYS = ['ctx_group', 'lr_mult', 'wd_mult', 'force_mirroring', 'mirror_stage', 'profiler_scope'];

/** Declared inputs of ops whose pre-0.9 JSON may omit trailing ones (auxiliary states, labels). */
function declaredInputs(op: string, a: MxAttrs): string[] | undefined {
  const bias = a.bool('no_bias', false) ? [] : ['bias'];
  switch (op) {
    case 'BatchNorm': return ['data', 'gamma', 'beta', 'moving_mean', 'moving_var'];
    case 'Convolution': case 'Deconvolution': case 'FullyConnected': return ['data', 'weight', ...bias];
    case 'LeakyReLU': return a.str('act_type', 'leaky') === 'prelu' ? ['data', 'gamma'] : undefined;
    case 'SoftmaxOutput': case 'LinearRegressionOutput': case 'LogisticRegressionOutput': case 'MAERegressionOutput':
      return ['data', 'label'];
  }
  return undefined;
}

/** Outputs of an op, hidden ones included, as MXNet counts them for node_row_ptr. */
export function mxOutputCount(op: string, attrs: Record<string, string>, where: string): number {
  const a = new MxAttrs(attrs, where);
  switch (op) {
    case 'null': return 1;
    case 'BatchNorm': return 3;
    case 'Dropout': case 'LRN': return 2;
    case 'LeakyReLU': return a.str('act_type', 'leaky') === 'rrelu' ? 2 : 1;
    case 'SliceChannel': case 'split': return a.int('num_outputs');
  }
  return 1;
}

/** Outputs a graph may use at inference (BatchNorm's batch statistics, Dropout's mask are hidden). */
export function mxVisibleOutputs(op: string, attrs: Record<string, string>): number {
  const a = new MxAttrs(attrs, op);
  switch (op) {
    case 'BatchNorm': return a.bool('output_mean_var', false) ? 3 : 1;
    case 'Dropout': case 'LRN': case 'LeakyReLU': return 1;
  }
  return mxOutputCount(op, attrs, op);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses symbol JSON text into an MxSymbol, applying MXNet's upgrades for old files. */
export function parseSymbol(json: string, source = 'symbol.json'): MxSymbol {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    throw new ParseError(`malformed symbol JSON: ${(e as Error).message}`, { where: source });
  }
  const bad = (msg: string, where = source): never => {
    throw new ParseError(msg, { where });
  };
  if (!isObject(doc) || !Array.isArray(doc.nodes)) bad('not an MXNet symbol: the top level must be an object with a "nodes" array');
  const top = doc as Record<string, unknown> & { nodes: unknown[] };
  const graphAttrs = isObject(top.attrs) ? top.attrs : {};
  const ver = graphAttrs.mxnet_version;
  const version = Array.isArray(ver) && ver[0] === 'int' && Number.isInteger(ver[1]) ? (ver[1] as number) : 800;
  const rowPtr = Array.isArray(top.node_row_ptr) ? top.node_row_ptr : undefined;
  if (rowPtr && (rowPtr.length !== top.nodes.length + 1 || !rowPtr.every((x, i) => Number.isInteger(x) && (i === 0 || x > rowPtr[i - 1])))) {
    bad(`node_row_ptr must be ${top.nodes.length + 1} increasing integers`);
  }

  const entry = (e: unknown, limit: number, what: string, where: string): MxEntry => {
    if (!Array.isArray(e) || e.length < 2 || e.length > 3 || !e.every((x) => Number.isInteger(x) && x >= 0)) {
      return bad(`${what} must be [node, output] or [node, output, version] of non-negative integers, got ${JSON.stringify(e)}`, where);
    }
    const [node, index, v = 0] = e as number[];
    if (node! >= limit) bad(`${what} refers to node #${node}, which ${node! >= top.nodes.length ? 'does not exist' : 'does not come before it'}`, where);
    return { node: node!, index: index!, version: v };
  };

  const nodes: MxNode[] = top.nodes.map((raw, i) => {
    const here = `${source}, node #${i}`;
    if (!isObject(raw)) return bad('a node must be an object', here);
    if (typeof raw.op !== 'string' || typeof raw.name !== 'string') return bad('a node needs string "op" and "name"', here);
    const where = `${source}, node '${raw.name}' (#${i}, ${raw.op})`;
    const attrs: Record<string, string> = {};
    for (const key of ['param', 'attr', 'attrs']) {
      const dict = raw[key];
      if (dict === undefined) continue;
      if (!isObject(dict)) bad(`"${key}" must be an object`, where);
      for (const [k, v] of Object.entries(dict as Record<string, unknown>)) {
        if (typeof v !== 'string') bad(`attribute '${k}' must be a string, got ${JSON.stringify(v)}`, where);
        attrs[k] = v as string;
      }
    }
    if (!Array.isArray(raw.inputs)) bad('"inputs" must be an array', where);
    const inputs = (raw.inputs as unknown[]).map((e, k) => entry(e, i, `input ${k}`, where));
    if (raw.op === 'null' && inputs.length) bad('a variable (op "null") cannot have inputs', where);
    const node: MxNode = { op: raw.op, name: raw.name, attrs, inputs, numOutputs: 1 };
    if (Array.isArray(raw.control_deps) && raw.control_deps.length) {
      node.controlDeps = raw.control_deps.map((d) => (Number.isInteger(d) && d >= 0 && d < i ? (d as number) : bad(`control dependency ${JSON.stringify(d)} is not an earlier node`, where)));
    }
    if (Array.isArray(raw.subgraphs) && raw.subgraphs.length) node.subgraphs = raw.subgraphs;
    node.numOutputs = rowPtr ? (rowPtr[i + 1] as number) - (rowPtr[i] as number) : mxOutputCount(node.op, attrs, where);
    return node;
  });
  nodes.forEach((n, i) => {
    for (const e of n.inputs) {
      const src = nodes[e.node]!;
      if (!rowPtr) src.numOutputs = Math.max(src.numOutputs, e.index + 1); // old files: trust the references
      else if (e.index >= src.numOutputs) {
        bad(`input refers to output ${e.index} of '${src.name}', which has ${src.numOutputs} output(s)`, `${source}, node '${n.name}' (#${i})`);
      }
    }
  });
  if (!Array.isArray(top.heads) || top.heads.length === 0) bad('"heads" must be a non-empty array of [node, output] entries');
  const heads = (top.heads as unknown[]).map((e, k) => entry(e, nodes.length, `head ${k}`, source));
  const sym: MxSymbol = { nodes, argNodes: [], heads, attrs: { ...graphAttrs }, version };
  fixHiddenKeys(sym);
  if (version < 900) addMissingInputs(sym, source);
  sym.argNodes = sym.nodes.flatMap((n, i) => (n.op === 'null' ? [i] : []));
  return sym;
}

/** Upgrade 1: plain hidden keys become `__key__`; `<input>_<key>` moves to that input variable. */
function fixHiddenKeys(sym: MxSymbol): void {
  for (const n of sym.nodes) {
    for (const [k, v] of Object.entries(n.attrs)) {
      if (HIDDEN_KEYS.includes(k)) {
        delete n.attrs[k];
        n.attrs[`__${k}__`] = v;
        continue;
      }
      const key = HIDDEN_KEYS.find((h) => k.endsWith(`_${h}`) && !k.startsWith('__'));
      if (!key || n.op === 'null') continue;
      delete n.attrs[k];
      const varName = `${n.name}_${k.slice(0, -key.length - 1)}`;
      for (const e of n.inputs) {
        const src = sym.nodes[e.node]!;
        if (src.op === 'null' && src.name === varName) src.attrs[`__${key}__`] = v;
      }
    }
  }
}

/** Upgrade 2 (files before 0.9): create omitted auxiliary/label inputs as `<node>_<input>` variables. */
function addMissingInputs(sym: MxSymbol, source: string): void {
  const out: MxNode[] = [];
  const remap: number[] = [];
  const moved = (e: MxEntry): MxEntry => ({ ...e, node: remap[e.node]! });
  sym.nodes.forEach((n, i) => {
    const declared = n.op === 'null' ? undefined : declaredInputs(n.op, new MxAttrs(n.attrs, `${source}, node '${n.name}'`));
    const inputs = n.inputs.map(moved);
    for (let k = inputs.length; declared && k < declared.length; k++) {
      out.push({ op: 'null', name: `${n.name}_${declared[k]}`, attrs: { ...n.attrs }, inputs: [], numOutputs: 1 });
      inputs.push({ node: out.length - 1, index: 0, version: 0 });
    }
    remap[i] = out.length;
    out.push({ ...n, inputs, ...(n.controlDeps ? { controlDeps: n.controlDeps.map((d) => remap[d]!) } : {}) });
  });
  sym.nodes = out;
  sym.heads = sym.heads.map(moved);
}

/** The mxnet_version a written file claims: upgraded pre-0.9 files are written as 1.9.1. */
const WRITTEN_LEGACY_VERSION = 10901;

/** Serializes a symbol exactly as MXNet 1.x's SaveJSON lays it out (dmlc JSONWriter style). */
export function writeSymbol(sym: MxSymbol): string {
  const nodes = sym.nodes.map((n) => {
    const fields: [string, string][] = [['op', JSON.stringify(n.op)], ['name', JSON.stringify(n.name)]];
    const attrKeys = Object.keys(n.attrs).sort();
    if (attrKeys.length) fields.push(['attrs', obj(attrKeys.map((k) => [k, JSON.stringify(n.attrs[k])]), attrKeys.length > 1, 8)]);
    fields.push(['inputs', entries(n.inputs)]);
    if (n.controlDeps?.length) fields.push(['control_deps', ints(n.controlDeps, 8)]);
    if (n.subgraphs?.length) fields.push(['subgraphs', JSON.stringify(n.subgraphs)]);
    return obj(fields, true, 6);
  });
  const rowPtr = [0];
  for (const n of sym.nodes) rowPtr.push(rowPtr[rowPtr.length - 1]! + n.numOutputs);
  const attrs = { ...sym.attrs };
  if (sym.version < 900) attrs.mxnet_version = ['int', WRITTEN_LEGACY_VERSION];
  const attrKeys = Object.keys(attrs).sort();
  const top: [string, string][] = [
    ['nodes', arr(nodes, true, 4)],
    ['arg_nodes', ints(sym.argNodes, 4)],
    ['node_row_ptr', ints(rowPtr, 4)],
    ['heads', entries(sym.heads)],
  ];
  if (attrKeys.length) top.push(['attrs', obj(attrKeys.map((k) => [k, typedAny(attrs[k])]), attrKeys.length > 1, 4)]);
  return obj(top, true, 2);
}

// dmlc JSONWriter: items separated by ", "; a multi-line container puts each item on its own line.
function arr(items: string[], multiLine: boolean, indent: number): string {
  if (!multiLine || items.length === 0) return `[${items.join(', ')}]`;
  const pad = ' '.repeat(indent);
  return `[\n${items.map((s) => pad + s).join(', \n')}\n${' '.repeat(indent - 2)}]`;
}

function obj(fields: [string, string][], multiLine: boolean, indent: number): string {
  const items = fields.map(([k, v]) => `${JSON.stringify(k)}: ${v}`);
  if (!multiLine) return `{${items.join(', ')}}`;
  const pad = ' '.repeat(indent);
  return `{\n${items.map((s) => pad + s).join(', \n')}\n${' '.repeat(indent - 2)}}`;
}

/** Integer vectors: one line up to 10 items, one item per line beyond. */
function ints(v: number[], indent: number): string {
  return arr(v.map(String), v.length > 10, indent);
}

function entries(v: MxEntry[]): string {
  return arr(v.map((e) => `[${e.node}, ${e.index}, ${e.version}]`), false, 0);
}

function typedAny(v: unknown): string {
  return Array.isArray(v) ? arr(v.map((x) => JSON.stringify(x)), false, 0) : JSON.stringify(v);
}
