import { GraphError, ParseError, UnsupportedError } from '../../errors.js';
import type { AttrValue, Attrs } from '../../ir/attr.js';
import { Graph, ONNX_DOMAIN, type Node, type ValueInfo } from '../../ir/graph.js';
import { Tensor, Tensor as TensorCtor } from '../../tensor/tensor.js';
import { DTYPE_ELEMENT_TYPE, elementType } from '../../tensor/element-type.js';
import { ATTR_TYPE, ModelProto, toNum, type AttributeMsg, type GraphMsg, type ModelMsg, type TypeMsg, type ValueInfoMsg } from '../proto.js';
import { importConverterFor, type ConvertContext } from './converter.js';
import './converters/index.js';
import { tensorFromProto, type ExternalDataReader } from './tensor.js';
import { importType, valueInfo } from './value-type.js';

export interface OnnxImportOptions {
  /** Reads external tensor data (Node: from files beside the model). */
  externalData?: ExternalDataReader;
  /** A name for error messages (the file path). */
  source?: string;
}

export const MIN_OPSET = 1;
export const MAX_OPSET = 27;

export interface ImportedModel {
  graph: Graph;
  opset: number;
  irVersion: number;
  producer: string;
}

/** Decodes ONNX ModelProto bytes into nnrt's IR, upgrading older op forms through converters. */
export function importOnnx(bytes: Uint8Array, opts: OnnxImportOptions = {}): ImportedModel {
  const src = opts.source ?? 'model';
  let msg: ModelMsg;
  try {
    msg = ModelProto.decode(bytes) as unknown as ModelMsg;
  } catch (e) {
    throw new ParseError(`not a valid ONNX model: ${(e as Error).message}`, {
      where: src, hint: 'the file may be truncated or corrupt; re-export or re-download it',
    });
  }
  if (!msg.graph) throw new ParseError('the file decodes as protobuf but holds no graph: not an ONNX model', { where: src });
  const opsets = new Map<string, number>();
  for (const o of msg.opsetImport) opsets.set(o.domain === 'ai.onnx' ? '' : o.domain, toNum(o.version));
  if (!opsets.has(ONNX_DOMAIN)) {
    // files of IR version < 3 predate opset_import; onnx.checker reads them as ai.onnx opset 1
    if (msg.opsetImport.length === 0) opsets.set(ONNX_DOMAIN, MIN_OPSET);
    // a model of only other domains' ops (ai.onnx.ml) needs no ai.onnx opset; none of its nodes reads it
    else if (msg.graph.node.every((n) => n.domain && n.domain !== 'ai.onnx')) opsets.set(ONNX_DOMAIN, MAX_OPSET);
    else throw new ParseError('the model imports no ai.onnx opset', { where: src });
  }
  const opset = opsets.get(ONNX_DOMAIN)!;
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new UnsupportedError(`ai.onnx opset ${opset} is not supported (nnrt reads opsets ${MIN_OPSET} to ${MAX_OPSET})`, {
      where: src, hint: opset < MIN_OPSET ? 'convert the model to a newer opset with onnx.version_converter' : undefined,
    });
  }
  const used = new Set<string>();
  collectNames(msg.graph, used);
  const graph = importGraph(msg.graph, { opset, opsets, ext: opts.externalData, src, used, counter: { n: 0 } }, false);
  return { graph, opset, irVersion: toNum(msg.irVersion), producer: `${msg.producerName} ${msg.producerVersion}`.trim() };
}

/** What importing one graph of a model needs; shared by the main graph and its subgraphs. */
interface ImportEnv {
  opset: number;
  opsets: Map<string, number>;
  ext: ExternalDataReader | undefined;
  src: string;
  /** Every name in the model, subgraphs included, so fresh names never shadow one. */
  used: Set<string>;
  counter: { n: number };
}

function collectNames(g: GraphMsg, used: Set<string>): void {
  for (const t of g.initializer) used.add(t.name);
  for (const v of [...g.input, ...g.output, ...g.valueInfo]) used.add(v.name);
  for (const n of g.node) {
    for (const v of [...n.input, ...n.output]) used.add(v);
    if (n.name) used.add(n.name);
    for (const a of n.attribute) for (const sub of [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]) collectNames(sub, used);
  }
}

function importGraph(g: GraphMsg, env: ImportEnv, isSubgraph: boolean): Graph {
  const { opset, opsets, ext, src, used } = env;
  const initializers = new Map<string, Tensor>();
  for (const t of g.initializer) {
    if (!t.name) throw new ParseError('an initializer has no name', { where: src });
    initializers.set(t.name, tensorFromProto(t, `${src}, initializer '${t.name}'`, ext));
  }
  if (g.sparseInitializer.length) throw new UnsupportedError('sparse initializers are not supported', { where: src });
  const onnxTypes = new Map<string, number>();
  // Records the declared type of values whose IR dtype widens it (see Graph.onnxTypes).
  const noteType = (name: string, code: number) => {
    const t = elementType(code);
    if (t && DTYPE_ELEMENT_TYPE[t.dtype] !== code) onnxTypes.set(name, code);
  };
  for (const t of g.initializer) noteType(t.name, t.dataType);
  for (const v of [...g.input, ...g.output, ...g.valueInfo]) {
    const code = elemTypeOf(v.type);
    if (code) noteType(v.name, code);
  }
  const ctx: ConvertContext = {
    opset,
    freshName(hint) {
      let name: string;
      do name = `${hint}__${env.counter.n++}`; while (used.has(name));
      used.add(name);
      return name;
    },
    addConstant(hint, t) {
      const name = ctx.freshName(hint);
      initializers.set(name, t);
      return name;
    },
    onnxType: (name) => onnxTypes.get(name),
  };
  const nodes: Node[] = [];
  g.node.forEach((n, idx) => {
    const domain = n.domain === 'ai.onnx' ? '' : n.domain;
    const name = n.name || ctx.freshName(`${n.opType}_${idx}`);
    const where = `${src}, node '${name}' (${n.opType})`;
    if (domain !== '' && !opsets.has(domain)) throw new ParseError(`node uses domain '${domain}' that the model does not import`, { where });
    const node: Node = { name, opType: n.opType, domain, inputs: [...n.input], outputs: [...n.output], attrs: importAttrs(n.attribute, where, ext, (sub) => importGraph(sub, env, true)) };
    // opset 1–5 ops carry `consumed_inputs`, a legacy in-place hint without semantics
    if (domain === '' && opset < 7) delete node.attrs.consumed_inputs;
    if (domain === '' && n.opType === 'Constant') {
      const t = constantValue(node, where);
      if (node.outputs.length !== 1 || !node.outputs[0]) throw new GraphError('Constant must have one output', { where });
      initializers.set(node.outputs[0]!, t);
      const declared = n.attribute.find((a) => a.name === 'value')?.t?.dataType;
      if (declared) noteType(node.outputs[0]!, declared);
      return;
    }
    // onnxruntime's com.microsoft QuantizeLinear takes the same zero-point types as the ai.onnx one
    // (16- and 4-bit too): it needs the same record of the type its zero point was widened from
    const conv = domain === '' ? importConverterFor(n.opType, opset)
      : domain === 'com.microsoft' && n.opType === 'QuantizeLinear' ? importConverterFor(n.opType, 21) : undefined;
    if (conv) nodes.push(...conv.convert(node, ctx));
    else nodes.push(node);
  });
  const what = isSubgraph ? 'subgraph' : 'graph';
  const info = (v: ValueInfoMsg, kind: string): ValueInfo => valueInfo(v, `${src}, ${what} ${kind} '${v.name}'`, isSubgraph && kind === 'input');
  const graph = new Graph({
    name: g.name || 'graph',
    nodes,
    inputs: g.input.filter((v) => !initializers.has(v.name)).map((v) => info(v, 'input')),
    outputs: g.output.map((v) => {
      if (!v.type) return { name: v.name };
      const o = info(v, 'output');
      return o.unknownRank ? { name: o.name, dtype: o.dtype, ...(o.kind ? { kind: o.kind } : {}) } : o;
    }),
    initializers,
    opsets,
    onnxTypes,
  });
  for (const v of g.valueInfo) {
    try {
      const vi = info(v, 'value');
      if (!vi.unknownRank) graph.valueInfo.set(v.name, vi);
    } catch {
      // value_info is a hint; an unsupported type there is not fatal
    }
  }
  return graph;
}

/** The element type code of a tensor, sequence or optional type (0 when there is none). */
function elemTypeOf(t: TypeMsg | null | undefined): number {
  if (!t) return 0;
  if (t.tensorType) return t.tensorType.elemType;
  return elemTypeOf(t.sequenceType?.elemType ?? t.optionalType?.elemType);
}

function importAttrs(list: AttributeMsg[], where: string, ext: ExternalDataReader | undefined, subgraph: (g: GraphMsg) => Graph): Attrs {
  const attrs: Attrs = {};
  const dec = new TextDecoder();
  for (const a of list) {
    const at = `${where}, attribute '${a.name}'`;
    if (a.refAttrName) throw new UnsupportedError('attribute references (functions) are not supported', { where: at });
    let v: AttrValue;
    switch (a.type) {
      case ATTR_TYPE.FLOAT: v = { type: 'float', value: a.f }; break;
      case ATTR_TYPE.INT: v = { type: 'int', value: toNum(a.i) }; break;
      case ATTR_TYPE.STRING: v = { type: 'string', value: dec.decode(a.s instanceof Uint8Array ? a.s : new Uint8Array()) }; break;
      case ATTR_TYPE.TENSOR:
        if (!a.t) throw new ParseError('tensor attribute without a tensor', { where: at });
        v = { type: 'tensor', value: tensorFromProto(a.t, at, ext) };
        break;
      case ATTR_TYPE.FLOATS: v = { type: 'floats', value: [...a.floats] }; break;
      case ATTR_TYPE.INTS: v = { type: 'ints', value: a.ints.map(toNum) }; break;
      case ATTR_TYPE.STRINGS: v = { type: 'strings', value: a.strings.map((s) => dec.decode(s)) }; break;
      case ATTR_TYPE.GRAPH:
        if (!a.g) throw new ParseError('graph attribute without a graph', { where: at });
        v = { type: 'graph', value: subgraph(a.g) };
        break;
      case ATTR_TYPE.GRAPHS: v = { type: 'graphs', value: a.graphs.map(subgraph) }; break;
      case ATTR_TYPE.TYPE_PROTO: {
        const t = importType(a.tp, at);
        if (!t) throw new ParseError('type attribute without a type', { where: at });
        v = { type: 'type', value: { kind: t.kind, dtype: t.dtype } };
        break;
      }
      default:
        throw new UnsupportedError(`attribute type #${a.type} is not supported`, { where: at });
    }
    attrs[a.name] = v;
  }
  return attrs;
}

/** The tensor a Constant node defines (value, value_float(s), value_int(s)). */
function constantValue(node: Node, where: string): Tensor {
  const entries = Object.entries(node.attrs);
  if (entries.length !== 1) throw new GraphError('Constant needs exactly one value attribute', { where });
  const [name, a] = entries[0]!;
  switch (name) {
    case 'value': if (a.type === 'tensor') return a.value; break;
    case 'value_float': if (a.type === 'float') return TensorCtor.scalar('float32', a.value); break;
    case 'value_floats': if (a.type === 'floats') return TensorCtor.fromNumeric('float32', [a.value.length], a.value); break;
    case 'value_int': if (a.type === 'int') return TensorCtor.scalar('int64', a.value); break;
    case 'value_ints': if (a.type === 'ints') return TensorCtor.fromNumeric('int64', [a.value.length], a.value); break;
  }
  throw new UnsupportedError(`Constant attribute '${name}' (${a.type}) is not supported`, { where });
}
