// Emits one layer as ONNX nodes and initializers into the lowered graph (see ../lower.ts),
// naming intermediates after the layer. Layer kinds call it from their `lower`.
import type { AttrValue, Attrs } from '../../ir/attr.js';
import { ONNX_DOMAIN, type Graph } from '../../ir/graph.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Activation, Layer, NetDType, Network } from '../network.js';

export const ints = (value: number[]): AttrValue => ({ type: 'ints', value });
export const int = (value: number): AttrValue => ({ type: 'int', value });
export const float = (value: number): AttrValue => ({ type: 'float', value });

/** Emits nodes and initializers for one layer, naming intermediates after the layer. */
export class Emitter {
  private count = 0;
  constructor(private readonly g: Graph, private readonly net: Network, private readonly layer: Layer) {}

  /** A fresh intermediate value name (`last` gives the layer's output name instead). */
  value(last: boolean): string {
    return last ? this.layer.output : `${this.layer.output}/${this.count++}`;
  }

  node(opType: string, inputs: string[], attrs: Attrs, output: string): string {
    this.g.nodes.push({ name: `${this.layer.name}/${this.g.nodes.length}`, opType, domain: ONNX_DOMAIN, inputs, outputs: [output], attrs });
    return output;
  }

  initializer(suffix: string, t: Tensor): string {
    let name = `${this.layer.name}/${suffix}`;
    for (let k = 1; this.g.initializers.has(name); k++) name = `${this.layer.name}/${suffix}_${k}`;
    this.g.initializers.set(name, t);
    return name;
  }

  shape(t: string): readonly number[] {
    return this.net.tensors.get(t)!.shape;
  }

  dtype(t: string): NetDType {
    return this.net.tensors.get(t)!.dtype ?? 'float32';
  }

  /** act(x) as ONNX nodes; `last` names the result the layer's output. */
  activation(a: Activation, x: string, last: boolean): string {
    const out = this.value(last);
    switch (a.kind) {
      case 'none': return last ? this.node('Identity', [x], {}, out) : x;
      case 'relu': return this.node('Relu', [x], {}, out);
      case 'leakyrelu': return this.node('LeakyRelu', [x], { alpha: float(a.alpha) }, out);
      case 'clip': {
        const lo = this.initializer('clip.min', Tensor.fromArray([], [a.min]));
        const hi = this.initializer('clip.max', Tensor.fromArray([], [a.max]));
        return this.node('Clip', [x, lo, hi], {}, out);
      }
      case 'sigmoid': return this.node('Sigmoid', [x], {}, out);
      case 'tanh': return this.node('Tanh', [x], {}, out);
      case 'hardsigmoid': return this.node('HardSigmoid', [x], { alpha: float(a.alpha), beta: float(a.beta) }, out);
      case 'hardswish': return this.node('HardSwish', [x], {}, out);
      case 'silu': return this.node('Mul', [x, this.node('Sigmoid', [x], {}, this.value(false))], {}, out);
      case 'gelu': return this.gelu(x, a.approximate, out);
    }
  }

  /** x/2 · (1 + erf(x/√2)) or x/2 · (1 + tanh(√(2/π)·(x + 0.044715x³))) in opset-18 primitives. */
  private gelu(x: string, approximate: 'none' | 'tanh', out: string): string {
    const k = (name: string, v: number) => this.initializer(name, Tensor.fromArray([], [v]));
    const op = (type: string, a: string, b?: string) => this.node(type, b === undefined ? [a] : [a, b], {}, this.value(false));
    const phi = approximate === 'tanh'
      ? op('Tanh', op('Mul', op('Add', x, op('Mul', op('Mul', op('Mul', x, x), x), k('gelu.c', 0.044715))), k('gelu.k', Math.sqrt(2 / Math.PI))))
      : op('Erf', op('Mul', x, k('gelu.k', Math.SQRT1_2)));
    return this.node('Mul', [op('Mul', x, k('gelu.half', 0.5)), op('Add', phi, k('gelu.one', 1))], {}, out);
  }

  /** y = act(core + residual): the shared epilogue of conv and gemm. */
  epilogue(l: { residual?: string; act: Activation }, core: string): void {
    const summed = l.residual ? this.node('Add', [core, l.residual], {}, this.value(l.act.kind === 'none')) : core;
    if (l.act.kind !== 'none') this.activation(l.act, summed, true);
  }
}
