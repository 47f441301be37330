// QDQ models as onnxruntime's quantizer writes them (QuantizeLinear → DequantizeLinear around
// every quantized input; weights int8 symmetric, per channel or per tensor, as DequantizeLinear
// of int8 initializers; biases int32 at scale x_scale·w_scale), built from seeded float weights,
// for the engine's int8 tests. Each builder returns a PatternSpec (helpers/engine-pattern.ts).
import { Tensor } from '../../src/tensor/tensor.js';
import type { PatternNode, PatternSpec } from './engine-pattern.js';
import { randomTensor } from './ort-reference.js';

export interface ActQuant {
  scale: number;
  zeroPoint: number;
  signed: boolean;
}

/** Builds the node and initializer lists of a QDQ graph. */
export class QdqBuilder {
  nodes: PatternNode[] = [];
  inits: Record<string, Tensor> = {};
  private n = 0;

  private fresh(base: string): string {
    return `${base}_${this.n++}`;
  }

  /** Q then DQ of `x` with per-tensor parameters; returns the DQ output (a float tensor). */
  qdq(x: string, q: ActQuant): string {
    const s = this.fresh('s');
    const z = this.fresh('zp');
    this.inits[s] = Tensor.fromArray([], [q.scale]);
    this.inits[z] = q.signed ? new Tensor('int8', [], Int8Array.of(q.zeroPoint)) : new Tensor('uint8', [], Uint8Array.of(q.zeroPoint));
    const xq = this.fresh(`${x}_q`);
    const xd = this.fresh(`${x}_dq`);
    this.nodes.push({ op: 'QuantizeLinear', inputs: [x, s, z], outputs: [xq] }, { op: 'DequantizeLinear', inputs: [xq, s, z], outputs: [xd] });
    return xd;
  }

  /** DQ(int8 weights) of float weights w, symmetric, per channel along `axis` or per tensor; returns [DQ output, scales]. */
  weight(w: Tensor<'float32'>, axis: number | undefined): [string, Float32Array] {
    const shape = w.shape;
    const channels = axis === undefined ? 1 : shape[axis]!;
    const inner = shape.slice((axis ?? 0) + 1).reduce((a, d) => a * d, 1);
    const chanOf = (i: number) => (axis === undefined ? 0 : Math.floor(i / inner) % channels);
    const maxAbs = new Float32Array(channels);
    w.data.forEach((v, i) => { maxAbs[chanOf(i)] = Math.max(maxAbs[chanOf(i)]!, Math.abs(v)); });
    const scales = Float32Array.from(maxAbs, (m) => Math.fround(m / 127));
    const q = Int8Array.from(w.data, (v, i) => Math.round(v / scales[chanOf(i)]!));
    const qn = this.fresh('wq');
    const sn = this.fresh('ws');
    const zn = this.fresh('wz');
    this.inits[qn] = new Tensor('int8', [...shape], q);
    this.inits[sn] = axis === undefined ? Tensor.fromArray([], [scales[0]!]) : new Tensor('float32', [channels], scales);
    this.inits[zn] = new Tensor('int8', axis === undefined ? [] : [channels], new Int8Array(channels));
    const out = this.fresh('w');
    this.nodes.push({ op: 'DequantizeLinear', inputs: [qn, sn, zn], outputs: [out], ...(axis === undefined ? {} : { attrs: { axis } }) });
    return [out, scales];
  }

  /**
   * DQ(Q(w)) of float weights w, symmetric per channel along `axis`, as NVIDIA's tools write
   * TensorRT's explicit quantization (the float initializer stays; importers fold the Q and DQ).
   */
  floatWeight(w: Tensor<'float32'>, axis: number): string {
    const channels = w.shape[axis]!;
    const inner = w.shape.slice(axis + 1).reduce((a, d) => a * d, 1);
    const maxAbs = new Float32Array(channels);
    w.data.forEach((v, i) => { const c = Math.floor(i / inner) % channels; maxAbs[c] = Math.max(maxAbs[c]!, Math.abs(v)); });
    const wn = this.fresh('wf');
    const sn = this.fresh('ws');
    const zn = this.fresh('wz');
    this.inits[wn] = w;
    this.inits[sn] = new Tensor('float32', [channels], Float32Array.from(maxAbs, (m) => Math.fround(m / 127)));
    this.inits[zn] = new Tensor('int8', [channels], new Int8Array(channels));
    const q = this.fresh('wq');
    const out = this.fresh('w');
    this.nodes.push({ op: 'QuantizeLinear', inputs: [wn, sn, zn], outputs: [q], attrs: { axis } }, { op: 'DequantizeLinear', inputs: [q, sn, zn], outputs: [out], attrs: { axis } });
    return out;
  }

  /** DQ(int32 bias) at scale xs·ws[c], as onnxruntime quantizes biases. */
  bias(b: Float32Array, xs: number, ws: Float32Array): string {
    const scale = Float32Array.from(b, (_, c) => Math.fround(xs * (ws.length === 1 ? ws[0]! : ws[c]!)));
    const qn = this.fresh('bq');
    const sn = this.fresh('bs');
    this.inits[qn] = new Tensor('int32', [b.length], Int32Array.from(b, (v, c) => Math.round(v / scale[c]!)));
    this.inits[sn] = new Tensor('float32', [b.length], scale);
    const out = this.fresh('b');
    this.nodes.push({ op: 'DequantizeLinear', inputs: [qn, sn], outputs: [out], attrs: { axis: 0 } });
    return out;
  }

  node(op: string, inputs: string[], attrs?: PatternNode['attrs']): string {
    const out = this.fresh(op.toLowerCase());
    this.nodes.push({ op, inputs, outputs: [out], ...(attrs ? { attrs } : {}) });
    return out;
  }

  spec(inputs: Record<string, Tensor>, outputs: string[]): PatternSpec {
    return { nodes: this.nodes, inputs, initializers: this.inits, outputs, opset: 19 };
  }
}

export const U8 = (scale: number, zeroPoint: number): ActQuant => ({ scale, zeroPoint, signed: false });
export const I8 = (scale: number, zeroPoint = 0): ActQuant => ({ scale, zeroPoint, signed: true });

/** A quantized conv: y = DQ(Q(relu?(conv(DQ(Q(x)), DQ(w)) + DQ(b)))), optional ReLU (DQ(Q(x)) is x itself with inputDequantized). */
export function qdqConv(b: QdqBuilder, x: string, xq: ActQuant, cin: number, cout: number, k: number, seed: number, opts: { relu?: boolean; perChannel?: boolean; group?: number; strides?: number[]; pads?: number[]; out?: ActQuant; inputDequantized?: boolean }): string {
  const group = opts.group ?? 1;
  const w = randomTensor([cout, cin / group, k, k], seed, -0.5, 0.5);
  const [wd, ws] = b.weight(w, opts.perChannel === false ? undefined : 0);
  const bias = randomTensor([cout], seed + 1, -0.2, 0.2).data;
  // inputDequantized: x is already the DequantizeLinear of integers quantized as xq (conv → Q → DQ → conv)
  const xd = opts.inputDequantized ? x : b.qdq(x, xq);
  let y = b.node('Conv', [xd, wd, b.bias(bias, xq.scale, ws)], { group, strides: opts.strides ?? [1, 1], pads: opts.pads ?? [k >> 1, k >> 1, k >> 1, k >> 1] });
  if (opts.relu) y = b.node('Relu', [y]);
  return opts.out ? b.qdq(y, opts.out) : y;
}
