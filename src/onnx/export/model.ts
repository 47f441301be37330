import { NnrtError, UnsupportedError, UsageError } from '../../errors.js';
import type { AttrType, AttrValue } from '../../ir/attr.js';
import { NNRT_DOMAIN, nodeWhere, ONNX_DOMAIN, type Dim, type Graph, type Node, type ValueInfo } from '../../ir/graph.js';
import { inferShapes } from '../../ir/infer.js';
import { valuesRead } from '../../ir/subgraph.js';
import { topoSort } from '../../ir/topo.js';
import { verifyGraph } from '../../ir/verify.js';
import '../../ops/index.js';
import { findOp } from '../../ops/registry.js';
import { opTyper } from '../../ops/typer.js';
import type { DType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { VERSION } from '../../version.js';
import { ATTR_TYPE, ModelProto, ONNX_DTYPE_NAME } from '../proto.js';
import { exportConverterFor, trimInputs, type ExportContext } from './converter.js';
import './converters/index.js';
import { checkInputTypes } from './types.js';
import { canRestoreType, encodeTensor, ONNX_DTYPE_OF, tensorProto, type EncodedTensor, type ExternalRef } from './tensor.js';

/** The oldest ai.onnx opset nnrt exports to (Slice, Resize, Clip, Pad take their inputs-based forms from 11). */
export const MIN_EXPORT_OPSET = 11;
/** The newest opset the export converters and IR_VERSION below know (import reads up to 27). */
export const MAX_EXPORT_OPSET = 25;

/** The IR version each opset shipped with (onnx.helper.VERSION_TABLE): the oldest a reader needs. */
const IR_VERSION: Record<number, number> = {
  11: 6, 12: 7, 13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10, 22: 10, 23: 11, 24: 12, 25: 13,
};

/** A declared element type nnrt cannot write (float8, int4, ...): the value is written untyped. */
const UNKNOWN_TYPE = -1;

/** Ops whose output element type comes from an attribute or another input's declared type. */
const TYPE_FROM_ATTRIBUTE = new Set(['Cast', 'CastLike', 'QuantizeLinear']);

/** Protobuf messages cannot exceed 2 GiB; keep a margin for the graph itself. */
const INLINE_LIMIT = 2 ** 31 - 2 ** 26;
/** Tensors smaller than this stay inline when external data is chosen automatically (onnx's default). */
const AUTO_EXTERNAL_MIN_BYTES = 1024;

export interface OnnxExportOptions {
  /** Target ai.onnx opset, MIN_EXPORT_OPSET to MAX_EXPORT_OPSET. */
  opset: number;
  producerName?: string;
  /**
   * Initializers of at least this many bytes go to an external data file. Default: none, unless
   * the model would exceed protobuf's 2 GiB limit (then every initializer of 1 KiB or more).
   */
  externalDataThreshold?: number;
  /** The external data file's name, relative to the model file (default 'model.onnx.data'). */
  externalDataLocation?: string;
}

/** The external data file's content: `parts` at their byte offsets; the gaps are alignment padding. */
export interface ExternalData {
  location: string;
  byteLength: number;
  parts: { offset: number; bytes: Uint8Array }[];
}

export interface ExportedOnnx {
  model: Uint8Array;
  externalData?: ExternalData;
}

/** Encodes an IR graph as ONNX ModelProto bytes for a target opset (everything inline). */
export function exportOnnx(graph: Graph, opts: OnnxExportOptions): Uint8Array {
  const { model, externalData } = exportOnnxWithData(graph, opts);
  if (externalData) {
    throw new UsageError(`the exported model keeps ${externalData.byteLength} bytes of weights in an external data file`, {
      hint: 'write it with saveOnnx (nnrt/node), or call exportOnnxWithData and store the data file beside the model',
    });
  }
  return model;
}

/** Encodes an IR graph as ONNX, with large initializers in external data when asked or needed. */
export function exportOnnxWithData(graph: Graph, opts: OnnxExportOptions): ExportedOnnx {
  const opset = opts.opset;
  if (!Number.isInteger(opset) || opset < MIN_EXPORT_OPSET || opset > MAX_EXPORT_OPSET) {
    throw new UnsupportedError(`cannot export to ai.onnx opset ${opset}`, { hint: `nnrt exports opsets ${MIN_EXPORT_OPSET} to ${MAX_EXPORT_OPSET}` });
  }
  verifyGraph(graph);
  const types = knownTypes(graph);
  const constants = new Map<string, Tensor>(graph.initializers);
  const used = usedNames(graph);
  let counter = 0;
  const freshName = (hint: string): string => {
    let name = hint;
    while (used.has(name)) name = `${hint}__${counter++}`;
    used.add(name);
    return name;
  };
  const ctx: ExportContext = {
    opset,
    freshName,
    addConstant(hint, t) {
      const name = freshName(hint);
      constants.set(name, t);
      return name;
    },
    typeOf(value) {
      const t = constants.get(value);
      return t ? { name: value, dtype: t.dtype, shape: [...t.shape] } : types.get(value);
    },
    constantOf: (value) => constants.get(value),
  };

  const nodes = topoSort(graph).flatMap((n) => {
    const node = n.name ? n : { ...n, name: freshName(n.opType) };
    if (node.domain === NNRT_DOMAIN) {
      throw new UnsupportedError(`nnrt's own op '${node.opType}' has no ONNX form`, {
        where: nodeWhere(node), hint: 'export the graph before engine optimization (fusion and partitioning add nnrt ops)',
      });
    }
    return node.domain === ONNX_DOMAIN ? convertNode(node, ctx) : [node];
  });

  const referenced = new Set<string>([...graph.inputs, ...graph.outputs].map((v) => v.name));
  for (const n of nodes) for (const i of valuesRead(n)) referenced.add(i); // subgraphs' reads too
  const codeOf = elementTypes(graph);
  for (const n of nodes) {
    if (n.domain !== ONNX_DOMAIN) continue;
    checkInputTypes(n, opset, (v) => {
      const t = ctx.typeOf(v);
      return t && codeOf(v, t.dtype);
    });
  }
  const typeProto = (v: ValueInfo) => {
    const elemType = codeOf(v.name, v.dtype);
    return elemType === UNKNOWN_TYPE ? { name: v.name } : { name: v.name, type: valueTypeProto(v, elemType, !v.unknownRank) };
  };
  // subgraphs (If, Loop, Scan bodies): their nodes converted like the main graph's, weights inline
  const subgraph = (g: Graph): Record<string, unknown> => ({
    name: g.name,
    node: topoSort(g).flatMap((n) => convertNode(n.name ? n : { ...n, name: freshName(n.opType) }, ctx)).map((n) => nodeProto(n, subgraph)),
    input: g.inputs.map((v) => (v.untyped ? { name: v.name } : typeProto(v))),
    output: g.outputs.map((o) => (o.dtype && o.shape ? typeProto({ name: o.name, dtype: o.dtype, shape: o.shape, ...(o.kind ? { kind: o.kind } : {}) }) : { name: o.name })),
    initializer: [...g.initializers].map(([name, t]) => tensorProto(encodeTensor(name, t, codeOf(name, t.dtype)))),
  });
  const initializers = [...constants].filter(([name]) => referenced.has(name)).map(([name, t]) => encodeTensor(name, t, codeOf(name, t.dtype)));
  const external = planExternalData(initializers, opts);

  // an inferred IR dtype can differ from the ONNX type of a cast or quantized value (int16 → int32)
  const typedByAttribute = new Set<string>();
  for (const n of nodes) if (TYPE_FROM_ATTRIBUTE.has(n.opType)) for (const o of n.outputs) typedByAttribute.add(o);
  const typeOf = (name: string): ValueInfo | undefined => (typedByAttribute.has(name) ? graph.valueInfo.get(name) : ctx.typeOf(name));
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const valueInfo: ValueInfo[] = [];
  for (const n of nodes) {
    for (const o of n.outputs) {
      const t = o && !graphOutputs.has(o) && !graph.initializers.has(o) ? typeOf(o) : undefined;
      if (t) valueInfo.push(t);
    }
  }
  const domains = new Set(nodes.map((n) => n.domain).filter((d) => d !== ONNX_DOMAIN));
  const msg = ModelProto.fromObject({
    irVersion: IR_VERSION[opset],
    opsetImport: [{ domain: '', version: opset }, ...[...domains].map((d) => ({ domain: d, version: graph.opsets.get(d) ?? 1 }))],
    producerName: opts.producerName ?? 'nnrt',
    producerVersion: VERSION,
    graph: {
      name: graph.name,
      node: nodes.map((n) => nodeProto(n, subgraph)),
      input: graph.inputs.map(typeProto),
      output: graph.outputs.map((o) => {
        const t = o.dtype && o.shape ? { name: o.name, dtype: o.dtype, shape: o.shape } : typeOf(o.name);
        return t ? typeProto(t) : { name: o.name };
      }),
      initializer: initializers.map((e) => tensorProto(e, external.refs.get(e.name))),
      valueInfo: valueInfo.map(typeProto).filter((v) => 'type' in v),
    },
  });
  // copy: protobufjs may hand out a view of a pooled buffer that later encodes overwrite (in Node a
  // Buffer, whose slice() is a view too)
  const model = new Uint8Array(ModelProto.encode(msg).finish());
  return external.data ? { model, externalData: external.data } : { model };
}

/**
 * The ONNX element type to write for a value: the source model's declared type where the importer
 * widened it (int16 → int32, ...) and export can narrow it back, UNKNOWN_TYPE where it cannot
 * (float8, int4: the value is written untyped), else its IR dtype's.
 */
function elementTypes(graph: Graph): (name: string, dtype: DType) => number {
  return (name, dtype) => {
    const declared = graph.onnxTypes.get(name);
    if (declared === undefined || canRestoreType(declared)) return declared ?? ONNX_DTYPE_OF[dtype];
    if (graph.inputs.some((v) => v.name === name) || graph.initializers.has(name)) {
      throw new UnsupportedError(`'${name}' was declared ${ONNX_DTYPE_NAME[declared] ?? `type #${declared}`}, which nnrt holds as ${dtype} and cannot write back`);
    }
    return UNKNOWN_TYPE;
  };
}

/** Converts a node for the target opset; nodes of other op types a converter emits are converted too. */
function convertNode(node: Node, ctx: ExportContext): Node[] {
  const out = exportConverterFor(node, ctx.opset).convert(node, ctx);
  return out.flatMap((m) => (m.opType === node.opType && m.domain === node.domain ? [{ ...m, inputs: trimInputs(m.inputs) }] : convertNode(m, ctx)));
}

/**
 * Types of values: declared ones (inputs, outputs, value_info), plus those shape inference finds
 * when every input shape is static (best effort: inference stops at the first op it cannot type).
 */
function knownTypes(graph: Graph): Map<string, ValueInfo> {
  const types = new Map(graph.valueInfo);
  const isStatic = graph.inputs.every((v) => graph.initializers.has(v.name) || v.shape.every((d) => typeof d === 'number'));
  if (isStatic) {
    const g = graph.clone();
    try {
      inferShapes(g, opTyper);
    } catch (e) {
      if (!(e instanceof NnrtError)) throw e;
    }
    for (const [k, v] of g.valueInfo) if (!types.has(k)) types.set(k, v);
  }
  for (const v of graph.inputs) types.set(v.name, v);
  for (const o of graph.outputs) if (o.dtype && o.shape) types.set(o.name, { name: o.name, dtype: o.dtype, shape: o.shape });
  return types;
}

function usedNames(graph: Graph): Set<string> {
  const used = new Set<string>([...graph.initializers.keys(), ...graph.valueInfo.keys()]);
  for (const v of [...graph.inputs, ...graph.outputs]) used.add(v.name);
  for (const n of graph.nodes) {
    used.add(n.name);
    for (const v of [...n.inputs, ...n.outputs]) used.add(v);
  }
  return used;
}

function planExternalData(initializers: EncodedTensor[], opts: OnnxExportOptions): { refs: Map<string, ExternalRef>; data?: ExternalData } {
  const refs = new Map<string, ExternalRef>();
  const total = initializers.reduce((s, e) => s + e.bytes.length, 0);
  const threshold = opts.externalDataThreshold ?? (total > INLINE_LIMIT ? AUTO_EXTERNAL_MIN_BYTES : Infinity);
  const location = opts.externalDataLocation ?? 'model.onnx.data';
  if (location.startsWith('/') || location.split(/[\\/]/).includes('..')) {
    throw new UsageError(`external data location '${location}' must be a path inside the model's folder`);
  }
  const parts: ExternalData['parts'] = [];
  let end = 0;
  for (const { name, bytes } of initializers) {
    if (bytes.length === 0 || bytes.length < threshold) continue;
    // page-align large tensors so that readers can map them; small ones only to 16 bytes
    const align = bytes.length >= 1 << 20 ? 4096 : 16;
    const offset = Math.ceil(end / align) * align;
    refs.set(name, { location, offset, length: bytes.length });
    parts.push({ offset, bytes });
    end = offset + bytes.length;
  }
  if (total - parts.reduce((s, p) => s + p.bytes.length, 0) > INLINE_LIMIT) {
    throw new UsageError(`the initializers left inline exceed protobuf's 2 GiB limit`, { hint: 'lower externalDataThreshold' });
  }
  return parts.length ? { refs, data: { location, byteLength: end, parts } } : { refs };
}

function dimProto(d: Dim): Record<string, unknown> {
  if (typeof d === 'number') return { dimValue: d };
  return d.startsWith('?') ? {} : { dimParam: d }; // '?i' marks a dim the source left unnamed
}


/** A ValueInfo's TypeProto: a tensor type, or one wrapped in sequence/optional as its kind says. */
function valueTypeProto(v: Pick<ValueInfo, 'shape' | 'kind'>, elemType: number, withShape = true): Record<string, unknown> {
  const tensor = { tensorType: { elemType, ...(withShape ? { shape: { dim: v.shape.map(dimProto) } } : {}) } };
  switch (v.kind ?? 'tensor') {
    case 'tensor': return tensor;
    case 'sequence': return { sequenceType: { elemType: tensor } };
    case 'optional': return { optionalType: { elemType: tensor } };
    case 'optional-sequence': return { optionalType: { elemType: { sequenceType: { elemType: tensor } } } };
  }
}

type SubgraphProto = (g: Graph) => Record<string, unknown>;

function nodeProto(n: Node, sub: SubgraphProto): Record<string, unknown> {
  const schema = findOp(n.domain, n.opType)?.attrs;
  return {
    name: n.name, opType: n.opType, domain: n.domain, input: trimInputs(n.inputs), output: n.outputs,
    attribute: Object.entries(n.attrs).map(([name, v]) => attributeProto(name, declaredType(v, schema?.[name]?.type), sub)),
  };
}

/** Readers check attribute types strictly: an int given for a float attribute is written as a float. */
function declaredType(v: AttrValue, declared: AttrType | undefined): AttrValue {
  if (declared === 'float' && v.type === 'int') return { type: 'float', value: v.value };
  if (declared === 'floats' && v.type === 'ints') return { type: 'floats', value: v.value };
  return v;
}

const INT64_MAX = 2n ** 63n - 1n;

/** int64 attribute values: JS numbers past 2^53 are rounded, so saturate at the int64 bounds. */
function int64(v: number): number | string {
  if (Number.isSafeInteger(v)) return v;
  return String(v >= 0 ? INT64_MAX : -INT64_MAX - 1n);
}

function attributeProto(name: string, v: AttrValue, sub: SubgraphProto): Record<string, unknown> {
  switch (v.type) {
    case 'float': return { name, type: ATTR_TYPE.FLOAT, f: v.value };
    case 'int': return { name, type: ATTR_TYPE.INT, i: int64(v.value) };
    case 'string': return { name, type: ATTR_TYPE.STRING, s: new TextEncoder().encode(v.value) };
    case 'tensor': return { name, type: ATTR_TYPE.TENSOR, t: tensorProto(encodeTensor('', v.value)) };
    case 'floats': return { name, type: ATTR_TYPE.FLOATS, floats: v.value };
    case 'ints': return { name, type: ATTR_TYPE.INTS, ints: v.value.map(int64) };
    case 'strings': return { name, type: ATTR_TYPE.STRINGS, strings: v.value.map((s) => new TextEncoder().encode(s)) };
    case 'graph': return { name, type: ATTR_TYPE.GRAPH, g: sub(v.value) };
    case 'graphs': return { name, type: ATTR_TYPE.GRAPHS, graphs: v.value.map(sub) };
    case 'type': return { name, type: ATTR_TYPE.TYPE_PROTO, tp: valueTypeProto({ shape: [], kind: v.value.kind }, ONNX_DTYPE_OF[v.value.dtype], false) };
  }
}

