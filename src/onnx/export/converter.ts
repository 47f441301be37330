import { UnsupportedError } from '../../errors.js';
import type { AttrValue, Attrs } from '../../ir/attr.js';
import { nodeWhere, type Node, type ValueInfo } from '../../ir/graph.js';
import type { DType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';

/** What an export converter may consult and create besides returning nodes. */
export interface ExportContext {
  /** The target ai.onnx opset. */
  readonly opset: number;
  /** Adds an initializer and returns its (unique) name. */
  addConstant(hint: string, t: Tensor): string;
  /** A value or node name not used anywhere in the exported graph. */
  freshName(hint: string): string;
  /** The declared or inferred type of a value (dims may be symbolic), or undefined when unknown. */
  typeOf(value: string): ValueInfo | undefined;
  /** The value of a constant (an initializer, including those converters added), or undefined. */
  constantOf(value: string): Tensor | undefined;
}

/**
 * Rewrites an IR node (the newest ONNX form of its op) into the form of an older target opset.
 * Per op, the converter with the highest `sinceVersion` ≤ the target opset is used; an op with no
 * such converter does not exist in the target opset. Nodes a converter returns whose op type
 * differs from the converted node's are converted again for the target (so decompositions are
 * written once, in IR form).
 */
export interface OnnxExportConverter {
  opType: string;
  sinceVersion: number;
  convert(node: Node, ctx: ExportContext): Node[];
}

const converters = new Map<string, OnnxExportConverter[]>();

export function registerExportConverter(c: OnnxExportConverter): void {
  const list = converters.get(c.opType) ?? [];
  if (list.some((x) => x.sinceVersion === c.sinceVersion)) {
    throw new Error(`export converter ${c.opType}@${c.sinceVersion} registered twice`);
  }
  list.push(c);
  list.sort((a, b) => a.sinceVersion - b.sinceVersion);
  converters.set(c.opType, list);
}

/** Base converters: the IR node is already valid ONNX from `sinceVersion` on. */
export function registerBase(sinceVersion: number, ...opTypes: string[]): void {
  for (const opType of opTypes) registerExportConverter({ opType, sinceVersion, convert: (n) => [n] });
}

/** The converter for an ai.onnx op at a target opset; throws UnsupportedError naming op, node and opset. */
export function exportConverterFor(node: Node, opset: number): OnnxExportConverter {
  const list = converters.get(node.opType);
  if (!list) {
    throw new UnsupportedError(`nnrt has no ONNX exporter for op '${node.opType}'`, { where: nodeWhere(node) });
  }
  let found: OnnxExportConverter | undefined;
  for (const c of list) if (c.sinceVersion <= opset) found = c;
  if (!found) {
    throw new UnsupportedError(`op '${node.opType}' does not exist in ONNX opset ${opset} (nnrt exports it from opset ${list[0]!.sinceVersion})`, {
      where: nodeWhere(node), hint: `export with opset ≥ ${list[0]!.sinceVersion}`,
    });
  }
  return found;
}

/** An UnsupportedError for a node that has no equivalent in the target opset. */
export function notExportable(node: Node, ctx: ExportContext, why: string, hint?: string): UnsupportedError {
  return new UnsupportedError(`${node.opType} ${why}: no equivalent in ONNX opset ${ctx.opset}`, {
    where: nodeWhere(node), ...(hint ? { hint } : {}),
  });
}

// Attribute value (AttrValue) builders for converters.
export const av = {
  int: (value: number): AttrValue => ({ type: 'int', value }),
  ints: (value: number[]): AttrValue => ({ type: 'ints', value }),
  float: (value: number): AttrValue => ({ type: 'float', value }),
  string: (value: string): AttrValue => ({ type: 'string', value }),
};

export type AttrDefault = number | string | ((v: AttrValue['value']) => boolean);

/**
 * Removes attributes added to an op in opset `since` (or later) for an older target: each must be
 * absent or hold its default (a value, or a predicate saying "this value means the default").
 */
export function dropNewAttrs(node: Node, ctx: ExportContext, since: number, defaults: Record<string, AttrDefault>): Node {
  const attrs: Attrs = { ...node.attrs };
  for (const [name, def] of Object.entries(defaults)) {
    const v = attrs[name];
    if (!v) continue;
    const isDefault = typeof def === 'function' ? def(v.value) : v.value === def;
    if (!isDefault) {
      throw notExportable(node, ctx, `attribute ${name}=${JSON.stringify(v.value)} (added in opset ${since})`, `export with opset ≥ ${since}`);
    }
    delete attrs[name];
  }
  return { ...node, attrs };
}

/** Drops trailing omitted ('') inputs. */
export function trimInputs(inputs: string[]): string[] {
  const out = [...inputs];
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

/** The constant value of input `index`, undefined when omitted; throws when it is not a constant. */
export function constInput(node: Node, ctx: ExportContext, index: number, what: string, hint = `older opsets take ${what} as an attribute`): Tensor | undefined {
  const name = node.inputs[index];
  if (!name) return undefined;
  const t = ctx.constantOf(name);
  if (!t) throw notExportable(node, ctx, `with a computed (non-constant) ${what} input`, hint);
  return t;
}

/**
 * The older form where an input was an attribute: removes input `index` and, when it was given,
 * sets attribute `attrName` from its constant value.
 */
export function inputToAttr(node: Node, ctx: ExportContext, index: number, attrName: string, kind: 'ints' | 'float'): Node {
  const t = constInput(node, ctx, index, attrName);
  const inputs = [...node.inputs];
  inputs[index] = '';
  const attrs: Attrs = { ...node.attrs };
  if (t) attrs[attrName] = kind === 'ints' ? av.ints(t.toNumbers()) : av.float(t.toNumbers()[0]!);
  return { ...node, inputs: trimInputs(inputs), attrs };
}

/** The rank of a value, or an UnsupportedError saying that the conversion needs it. */
export function rankOf(node: Node, ctx: ExportContext, value: string, why: string): number {
  const t = ctx.typeOf(value);
  if (!t) {
    throw notExportable(node, ctx, `${why} needs the rank of '${value}', which is unknown`, 'give the graph static input shapes or value_info');
  }
  return t.shape.length;
}

/** The element type of a value, float32 when unknown (the common case for float decompositions). */
export function dtypeOf(ctx: ExportContext, value: string): DType {
  return ctx.typeOf(value)?.dtype ?? 'float32';
}

/** Emits nodes for a decomposition of `base`: fresh node and output names derived from its name. */
export class NodeBuilder {
  readonly nodes: Node[] = [];
  constructor(private readonly base: Node, private readonly ctx: ExportContext) {}

  /** Adds a node; returns its first output (fresh unless `outputs` names them). */
  op(opType: string, inputs: string[], attrs: Attrs = {}, outputs?: string[]): string {
    const outs = outputs ?? [this.ctx.freshName(`${this.base.name}_${opType.toLowerCase()}`)];
    this.nodes.push({ name: this.ctx.freshName(`${this.base.name}_${opType}`), opType, domain: '', inputs, outputs: outs, attrs });
    return outs[0]!;
  }

  /** A scalar (or 1-D when `values` is an array) constant. */
  constant(dtype: DType, values: number | number[]): string {
    const t = Array.isArray(values) ? Tensor.fromNumeric(dtype, [values.length], values) : Tensor.scalar(dtype, values);
    return this.ctx.addConstant(`${this.base.name}_const`, t);
  }
}
