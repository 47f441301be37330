// Rewrites a float ONNX graph the way onnxruntime's quantize_static does with
//   quant_format=QDQ, op_types_to_quantize=['MatMul'], per_channel=True,
//   activation_type=QUInt8, weight_type=QInt8, calibrate_method=MinMax
// (what bench/gpu-models/int8_models.py runs on BERT on the GPU machine, where Python has
// onnxruntime): every MatMul's activation inputs and its output get a QuantizeLinear →
// DequantizeLinear pair (uint8, asymmetric, the range seen over the calibration feeds widened to
// include 0), and a constant 2-D weight becomes DequantizeLinear of int8 weights, symmetric per
// column (axis 1, scale max|w|/127). Ranges come from onnxruntime running the float model, not
// from nnrt, so a test can compare nnrt's int8 engine with onnxruntime on the result.
import ort from 'onnxruntime-node';
import type { Graph, Node } from '../src/ir/graph.js';
import { exportOnnx } from '../src/onnx/export/model.js';
import { Tensor } from '../src/tensor/tensor.js';

/** The float activations a MatMul reads or writes (not constants), in graph order. */
export function matmulActivations(graph: Graph): string[] {
  const seen = new Set<string>();
  for (const n of graph.nodes) {
    if (n.opType !== 'MatMul' || n.domain !== '') continue;
    for (const t of [n.inputs[0]!, n.inputs[1]!, n.outputs[0]!]) if (!graph.initializers.has(t)) seen.add(t);
  }
  return [...seen];
}

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

/** Inserts the Q/DQ pairs and the weight DequantizeLinears in place; returns how many MatMuls were quantized. */
export function insertQdq(graph: Graph, ranges: Map<string, [number, number]>): number {
  const rename = new Map<string, string>();
  const nodes: Node[] = [];
  const node = (name: string, opType: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node => ({ name, opType, domain: '', inputs, outputs, attrs });
  const pair = (t: string) => {
    const { scale, zeroPoint } = uint8Params(ranges.get(t)!);
    graph.initializers.set(`${t}_scale`, Tensor.fromArray([], [scale]));
    graph.initializers.set(`${t}_zero_point`, new Tensor('uint8', [], Uint8Array.of(zeroPoint)));
    nodes.push(
      node(`${t}_QuantizeLinear`, 'QuantizeLinear', [t, `${t}_scale`, `${t}_zero_point`], [`${t}_quantized`]),
      node(`${t}_DequantizeLinear`, 'DequantizeLinear', [`${t}_quantized`, `${t}_scale`, `${t}_zero_point`], [`${t}_dequantized`]),
    );
    rename.set(t, `${t}_dequantized`);
  };
  const weight = (name: string) => {
    const w = graph.initializers.get(name)!;
    const [k, n] = w.shape as [number, number];
    const data = w.data as Float32Array;
    const scales = new Float32Array(n);
    for (let i = 0; i < data.length; i++) scales[i % n] = Math.max(scales[i % n]!, Math.abs(data[i]!));
    for (let c = 0; c < n; c++) scales[c] = Math.fround(scales[c]! / 127) || 1;
    graph.initializers.set(`${name}_quantized`, new Tensor('int8', [k, n], Int8Array.from(data, (v, i) => Math.max(-127, Math.min(127, Math.round(v / scales[i % n]!))))));
    graph.initializers.set(`${name}_scale`, new Tensor('float32', [n], scales));
    graph.initializers.set(`${name}_zero_point`, new Tensor('int8', [n], new Int8Array(n)));
    nodes.push(node(`${name}_DequantizeLinear`, 'DequantizeLinear', [`${name}_quantized`, `${name}_scale`, `${name}_zero_point`], [`${name}_dequantized`], { axis: { type: 'int', value: 1 } }));
    rename.set(name, `${name}_dequantized`);
  };
  const activations = new Set(matmulActivations(graph));
  // graph inputs read by a MatMul get their pair first
  for (const i of graph.inputs) if (activations.has(i.name)) pair(i.name);
  let count = 0;
  for (const n of graph.nodes) {
    const isMatMul = n.opType === 'MatMul' && n.domain === '';
    if (isMatMul) {
      const w = graph.initializers.get(n.inputs[1]!);
      if (w && w.dtype === 'float32' && w.shape.length === 2 && !rename.has(n.inputs[1]!)) weight(n.inputs[1]!);
      count++;
    }
    nodes.push({ ...n, inputs: n.inputs.map((t) => rename.get(t) ?? t) });
    for (const o of n.outputs) if (activations.has(o)) pair(o);
  }
  // a graph output keeps the float value its producer wrote
  graph.nodes = nodes;
  return count;
}
