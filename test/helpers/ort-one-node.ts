// onnxruntime's output of one ONNX node over f32 operands, and of an engine activation through its
// ONNX ops: the references engine kernel tests compare with.
import type { Activation } from '../../src/engine/network.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, runOrt, type AttrSpec } from './ort-reference.js';

export type Operands = Record<string, { shape: number[]; data: Float32Array }>;

export async function ortOneNode(
  op: string, inputs: Operands, attrs: Record<string, AttrSpec> = {}, opts: { order?: string[]; opset?: number } = {},
): Promise<Float32Array> {
  const feeds = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, new Tensor('float32', v.shape, v.data)]));
  const model = oneNodeModel({ op, ...(opts.opset ? { opset: opts.opset } : {}), attrs, inputs: feeds, inputOrder: opts.order ?? Object.keys(inputs), outputs: ['y'] });
  const out = await runOrt(model, feeds);
  return out.y!.data as Float32Array;
}

/** `act` applied to `v` (of `shape`) by onnxruntime. */
export async function ortActivation(act: Activation, shape: number[], v: Float32Array): Promise<Float32Array> {
  const x = { x: { shape, data: v } };
  switch (act.kind) {
    case 'none': return v;
    case 'relu': return ortOneNode('Relu', x);
    case 'leakyrelu': return ortOneNode('LeakyRelu', x, { alpha: { float: act.alpha } });
    case 'clip': return ortOneNode('Clip', { ...x, lo: { shape: [], data: new Float32Array([act.min]) }, hi: { shape: [], data: new Float32Array([act.max]) } });
    case 'sigmoid': return ortOneNode('Sigmoid', x);
    case 'tanh': return ortOneNode('Tanh', x);
    case 'hardsigmoid': return ortOneNode('HardSigmoid', x, { alpha: { float: act.alpha }, beta: { float: act.beta } });
    case 'hardswish': return ortOneNode('HardSwish', x);
    case 'silu': return ortOneNode('Mul', { a: { shape, data: v }, b: { shape, data: await ortOneNode('Sigmoid', x) } });
    case 'gelu': return ortOneNode('Gelu', x, { approximate: act.approximate }, { opset: 20 });
  }
}
