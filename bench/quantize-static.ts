// Rewrites a float ONNX graph the way onnxruntime's quantize_static does with
//   quant_format=QDQ, per_channel=True, activation_type=QUInt8, weight_type=QInt8,
//   calibrate_method=MinMax, op_types_to_quantize=OPS (default ['MatMul'], as
//   bench/gpu-models/int8_models.py quantizes BERT on the GPU machine, where Python has
//   onnxruntime; ['Conv', 'Gemm', 'MatMul'] for CNNs):
// every quantized node's activation inputs and its output get a QuantizeLinear → DequantizeLinear
// pair (uint8, asymmetric, the range seen over the calibration feeds widened to include 0); a
// constant weight becomes DequantizeLinear of int8 weights, symmetric per output channel (MatMul
// [K, N]: axis 1; Conv [O, I, …] and Gemm with transB: axis 0; scale max|w|/127); a Conv's or
// Gemm's constant bias becomes DequantizeLinear of int32 values at scale x_scale·w_scale[c].
// Ranges come from onnxruntime running the float model, not from nnrt, so a test can compare
// nnrt's int8 engine with onnxruntime on the result.
import ort from 'onnxruntime-node';
import type { Graph, Node } from '../src/ir/graph.js';
import { exportOnnx } from '../src/onnx/export/model.js';
import { Tensor } from '../src/tensor/tensor.js';

export type QuantizedOp = 'MatMul' | 'Conv' | 'Gemm';

/** The node's data inputs (not the bias) and output, for the ops this quantizer handles. */
const dataOf = (n: Node): string[] => [n.inputs[0]!, n.inputs[1]!, n.outputs[0]!];

/**
 * How the Q/DQ nodes are written. onnxruntime's quantize_static: uint8 asymmetric activations with
 * pairs on the quantized nodes' inputs and outputs, weights as int8 initializers under a
 * DequantizeLinear, int32 biases. TensorRT's explicit quantization as NVIDIA's tools write it:
 * int8 symmetric activations (zero point 0) on the inputs only, weights as QuantizeLinear →
 * DequantizeLinear of the float initializer, float biases.
 */
export interface QdqStyle {
  activations: 'uint8' | 'int8-symmetric';
  weights: 'int8-initializer' | 'float-qdq';
  outputs: boolean;
  biases: boolean;
}
export const ONNXRUNTIME_STYLE: QdqStyle = { activations: 'uint8', weights: 'int8-initializer', outputs: true, biases: true };
export const TENSORRT_STYLE: QdqStyle = { activations: 'int8-symmetric', weights: 'float-qdq', outputs: false, biases: false };

/** The float activations the quantized nodes read (and, with `outputs`, write), not constants, in graph order. */
export function quantizedActivations(graph: Graph, ops: readonly QuantizedOp[] = ['MatMul'], outputs = true): string[] {
  const seen = new Set<string>();
  for (const n of graph.nodes) {
    if (!(ops as readonly string[]).includes(n.opType) || n.domain !== '') continue;
    for (const t of outputs ? dataOf(n) : dataOf(n).slice(0, 2)) if (!graph.initializers.has(t)) seen.add(t);
  }
  return [...seen];
}

/** The float activations a MatMul reads or writes (quantize_static with op_types_to_quantize=['MatMul']). */
export const matmulActivations = (graph: Graph): string[] => quantizedActivations(graph, ['MatMul']);

export type Feeds = Record<string, ort.Tensor>;

/** Min and max of each of `tensors` over all `feeds`, from onnxruntime on the float graph. */
export async function calibrateMinMax(graph: Graph, tensors: readonly string[], feeds: readonly Feeds[]): Promise<Map<string, [number, number]>> {
  const probe = Object.assign(Object.create(Object.getPrototypeOf(graph)) as Graph, graph, {
    outputs: [...graph.outputs, ...tensors.filter((t) => !graph.outputs.some((o) => o.name === t)).map((name) => ({ name, dtype: 'float32' as const }))],
  });
  const session = await ort.InferenceSession.create(exportOnnx(probe, { opset: graph.opsets.get('') ?? 17 }));
  const ranges = new Map<string, [number, number]>();
  for (const f of feeds) {
    const out = await session.run(f);
    for (const t of tensors) {
      const data = out[t]!.data as Float32Array;
      let [lo, hi] = ranges.get(t) ?? [Infinity, -Infinity];
      for (const v of data) { if (v < lo) lo = v; if (v > hi) hi = v; }
      ranges.set(t, [lo, hi]);
    }
  }
  await session.release();
  return ranges;
}

/** uint8 scale and zero point of a range, as onnxruntime's compute_scale_zp (0 always representable). */
export function uint8Params([lo, hi]: [number, number]): { scale: number; zeroPoint: number } {
  const rmin = Math.fround(Math.min(lo, 0));
  const rmax = Math.fround(Math.max(hi, 0));
  if (rmax === rmin) return { scale: 1, zeroPoint: 0 };
  const scale = Math.fround((rmax - rmin) / 255);
  return { scale, zeroPoint: Math.max(0, Math.min(255, Math.round(-rmin / scale))) };
}

/** The output-channel axis of a node's weight: MatMul [K, N] → 1; Conv [O, I, …] → 0; Gemm → 0 with transB, else 1. */
function channelAxis(n: Node): number {
  if (n.opType === 'Conv') return 0;
  if (n.opType === 'Gemm') return n.attrs.transB?.value === 1 ? 0 : 1;
  return 1;
}

/** Inserts the Q/DQ pairs and the weight and bias DequantizeLinears in place; returns how many nodes were quantized. */
export function insertQdq(graph: Graph, ranges: Map<string, [number, number]>, ops: readonly QuantizedOp[] = ['MatMul'], style: QdqStyle = ONNXRUNTIME_STYLE): number {
  const rename = new Map<string, string>();
  const nodes: Node[] = [];
  const node = (name: string, opType: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node => ({ name, opType, domain: '', inputs, outputs, attrs });
  const params = new Map<string, number>();
  const pair = (t: string) => {
    const [lo, hi] = ranges.get(t)!;
    const symmetric = style.activations === 'int8-symmetric';
    const { scale, zeroPoint } = symmetric ? { scale: Math.fround(Math.max(Math.abs(lo), Math.abs(hi)) / 127) || 1, zeroPoint: 0 } : uint8Params([lo, hi]);
    params.set(t, scale);
    graph.initializers.set(`${t}_scale`, Tensor.fromArray([], [scale]));
    graph.initializers.set(`${t}_zero_point`, symmetric ? new Tensor('int8', [], Int8Array.of(0)) : new Tensor('uint8', [], Uint8Array.of(zeroPoint)));
    nodes.push(
      node(`${t}_QuantizeLinear`, 'QuantizeLinear', [t, `${t}_scale`, `${t}_zero_point`], [`${t}_quantized`]),
      node(`${t}_DequantizeLinear`, 'DequantizeLinear', [`${t}_quantized`, `${t}_scale`, `${t}_zero_point`], [`${t}_dequantized`]),
    );
    rename.set(t, `${t}_dequantized`);
  };
  /** int8 weights per channel along `axis`; returns the scales. */
  const weight = (name: string, axis: number): Float32Array => {
    const w = graph.initializers.get(name)!;
    const shape = [...w.shape];
    const data = w.data as Float32Array;
    const channels = shape[axis]!;
    const inner = shape.slice(axis + 1).reduce((a, d) => a * d, 1);
    const chan = (i: number) => Math.floor(i / inner) % channels;
    const scales = new Float32Array(channels);
    for (let i = 0; i < data.length; i++) scales[chan(i)] = Math.max(scales[chan(i)]!, Math.abs(data[i]!));
    for (let c = 0; c < channels; c++) scales[c] = Math.fround(scales[c]! / 127) || 1;
    graph.initializers.set(`${name}_scale`, new Tensor('float32', [channels], scales));
    graph.initializers.set(`${name}_zero_point`, new Tensor('int8', [channels], new Int8Array(channels)));
    if (style.weights === 'float-qdq') {
      // the float weights stay; a QuantizeLinear makes the integers (constant: importers fold it)
      nodes.push(node(`${name}_QuantizeLinear`, 'QuantizeLinear', [name, `${name}_scale`, `${name}_zero_point`], [`${name}_quantized`], { axis: { type: 'int', value: axis } }));
    } else {
      graph.initializers.set(`${name}_quantized`, new Tensor('int8', shape, Int8Array.from(data, (v, i) => Math.max(-127, Math.min(127, Math.round(v / scales[chan(i)]!))))));
    }
    nodes.push(node(`${name}_DequantizeLinear`, 'DequantizeLinear', [`${name}_quantized`, `${name}_scale`, `${name}_zero_point`], [`${name}_dequantized`], { axis: { type: 'int', value: axis } }));
    rename.set(name, `${name}_dequantized`);
    return scales;
  };
  /** int32 bias at scale x_scale·w_scale[c] (onnxruntime's quantize_bias_static). */
  const bias = (name: string, xScale: number, wScales: Float32Array) => {
    const b = graph.initializers.get(name)!.data as Float32Array;
    const scale = Float32Array.from(b, (_, c) => Math.fround(xScale * wScales[wScales.length === 1 ? 0 : c]!));
    graph.initializers.set(`${name}_quantized`, new Tensor('int32', [b.length], Int32Array.from(b, (v, c) => Math.round(v / scale[c]!))));
    graph.initializers.set(`${name}_scale`, new Tensor('float32', [b.length], scale));
    graph.initializers.set(`${name}_zero_point`, new Tensor('int32', [b.length], new Int32Array(b.length)));
    nodes.push(node(`${name}_DequantizeLinear`, 'DequantizeLinear', [`${name}_quantized`, `${name}_scale`, `${name}_zero_point`], [`${name}_dequantized`], { axis: { type: 'int', value: 0 } }));
    rename.set(name, `${name}_dequantized`);
  };
  const activations = new Set(quantizedActivations(graph, ops, style.outputs));
  // graph inputs read by a quantized node get their pair first
  for (const i of graph.inputs) if (activations.has(i.name)) pair(i.name);
  let count = 0;
  for (const n of graph.nodes) {
    if ((ops as readonly string[]).includes(n.opType) && n.domain === '') {
      const w = graph.initializers.get(n.inputs[1]!);
      if (w && w.dtype === 'float32' && !rename.has(n.inputs[1]!)) {
        const scales = weight(n.inputs[1]!, channelAxis(n));
        const b = n.inputs[2] ? graph.initializers.get(n.inputs[2]) : undefined;
        const xScale = params.get(n.inputs[0]!);
        if (style.biases && b && b.dtype === 'float32' && xScale !== undefined && !rename.has(n.inputs[2]!)) bias(n.inputs[2]!, xScale, scales);
      }
      count++;
    }
    nodes.push({ ...n, inputs: n.inputs.map((t) => rename.get(t) ?? t) });
    for (const o of n.outputs) if (activations.has(o)) pair(o);
  }
  // a graph output keeps the float value its producer wrote
  graph.nodes = nodes;
  return count;
}
