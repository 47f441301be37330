import type { Node } from '../../ir/graph.js';
import type { Tensor } from '../../tensor/tensor.js';

/** What a converter may do besides returning nodes: add constant tensors, make fresh names. */
export interface ConvertContext {
  /** The model's ai.onnx opset. */
  opset: number;
  /** Adds an initializer and returns its (unique) name. */
  addConstant(hint: string, t: Tensor): string;
  /** A value or node name not used anywhere in the graph. */
  freshName(hint: string): string;
  /**
   * The ONNX element type code the model declares for a value when its IR dtype widens it
   * (see Graph.onnxTypes); undefined when the IR dtype is the declared type or nothing is declared.
   */
  onnxType(name: string): number | undefined;
}

/**
 * Rewrites a node written against an older opset into nnrt's IR form (the newest ONNX form of the
 * op). `sinceVersion` is the first opset the converter applies to; for a model of opset V the
 * converter with the highest sinceVersion ≤ V is used, and ops with no converter pass through.
 */
export interface OnnxImportConverter {
  opType: string;
  sinceVersion: number;
  convert(node: Node, ctx: ConvertContext): Node[];
}

const converters = new Map<string, OnnxImportConverter[]>();

export function registerImportConverter(c: OnnxImportConverter): void {
  const list = converters.get(c.opType) ?? [];
  list.push(c);
  list.sort((a, b) => a.sinceVersion - b.sinceVersion);
  converters.set(c.opType, list);
}

/** The converter for an op at a model's opset, or undefined when the node is already in IR form. */
export function importConverterFor(opType: string, opset: number): OnnxImportConverter | undefined {
  const list = converters.get(opType);
  if (!list) return undefined;
  let found: OnnxImportConverter | undefined;
  for (const c of list) if (c.sinceVersion <= opset) found = c;
  return found;
}

/** The newest opset a converter exists for, i.e. where "pass through" begins (for docs/inspect). */
export function hasImportConverters(opType: string): boolean {
  return converters.has(opType);
}

/** Helper for the common case "attribute moved to an input": removes attr, appends a constant input. */
export function attrToInput(node: Node, ctx: ConvertContext, attrName: string, inputIndex: number, make: (v: unknown) => Tensor | undefined): Node {
  const a = node.attrs[attrName];
  const attrs = { ...node.attrs };
  delete attrs[attrName];
  const inputs = [...node.inputs];
  const t = a ? make(a.value) : undefined;
  while (inputs.length < inputIndex) inputs.push('');
  if (t) inputs[inputIndex] = ctx.addConstant(`${node.name || node.opType}_${attrName}`, t);
  while (inputs.length && inputs[inputs.length - 1] === '') inputs.pop();
  return { ...node, inputs, attrs };
}
