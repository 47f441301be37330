// Pooling layers: MaxPool, AveragePool and their global forms, 1-D and 2-D.
import { AveragePool } from '../../ops/averagepool/averagepool.op.js';
import { MaxPool } from '../../ops/maxpool/maxpool.op.js';
import { windowOf, windowPads } from '../../ops/_kernels/window.js';
import { attrEquals, attrNumber, chain, declineIf } from '../../partition/predicate.js';
import { compilePool } from '../kernels/pool.js';
import type { LayerBase } from '../network.js';
import type { QuantInfo } from './quantize.js';
import { int, ints, type Emitter } from './emitter.js';
import type { LayerKindDef, OpImporter } from './kind.js';
import { base, io, type NodeView } from './node-view.js';
import { floatOnly, spatial1or2 } from './rules.js';

export interface PoolLayer extends LayerBase {
  kind: 'pool';
  op: 'max' | 'avg';
  input: string;
  output: string;
  /** Global pools have kernel = the input's spatial size, stride 1, no padding. */
  kernel: [number, number];
  strides: [number, number];
  pads: [number, number, number, number];
  dilations: [number, number];
  /** Average pooling: count padded cells in the divisor. */
  countIncludePad: boolean;
  /**
   * A max pool between quantized integers of this quantization (its quantize moved before it:
   * int8-max-pool), in float tensors holding them or bytes.
   */
  quantized?: QuantInfo;
}

/** MaxPool/AveragePool: explicit pads (auto_pad and ceil_mode resolved) for the known output. */
function pool(n: NodeView): PoolLayer {
  const a = n.node.opType === 'MaxPool' ? { ...n.attrs(MaxPool), count_include_pad: 0 } : n.attrs(AveragePool);
  const xs = n.shape(n.node.inputs[0]!);
  const spatial = xs.slice(2);
  const out = n.shape(n.node.outputs[0]!).slice(2);
  const window = windowOf(a, a.kernel_shape);
  const pads = windowPads(spatial, out, window);
  const r = spatial.length;
  const countIncludePad = !!a.count_include_pad;
  for (let i = 0; i < r; i++) {
    const s = window.strides[i]!;
    const extent = (window.kernel[i]! - 1) * window.dilations[i]! + 1;
    const floorOut = (end: number) => Math.floor((spatial[i]! + pads[i]! + end - extent) / s) + 1;
    if (floorOut(pads[i + r]!) === out[i]) continue;
    // ceil_mode: the end padding that makes the plain (floor) formula give the same output.
    const end = (out[i]! - 1) * s + extent - spatial[i]! - pads[i]!;
    if (end < 0 || floorOut(end) !== out[i]) n.fail(`ceil_mode output ${out[i]} of spatial dim ${i} cannot be expressed with explicit padding`);
    if (countIncludePad && end > pads[i + r]!) n.fail('ceil_mode with count_include_pad is not supported');
    pads[i + r] = end;
  }
  const two = (v: number[], fill: number): [number, number] => (r === 2 ? [v[0]!, v[1]!] : [fill, v[0]!]);
  return {
    kind: 'pool', ...base(n), ...io(n), op: n.node.opType === 'MaxPool' ? 'max' : 'avg',
    kernel: two(window.kernel, 1), strides: two(window.strides, 1), dilations: two(window.dilations, 1),
    pads: r === 2 ? [pads[0]!, pads[1]!, pads[2]!, pads[3]!] : [0, pads[0]!, 0, pads[1]!],
    countIncludePad,
  };
}

function globalPool(n: NodeView): PoolLayer {
  const xs = n.shape(n.node.inputs[0]!);
  const kernel: [number, number] = xs.length === 4 ? [xs[2]!, xs[3]!] : [1, xs[2]!];
  return {
    kind: 'pool', ...base(n), ...io(n), op: n.node.opType === 'GlobalMaxPool' ? 'max' : 'avg',
    kernel, strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], countIncludePad: false,
  };
}

const globalRule = chain(floatOnly, spatial1or2('pooling'));

export const poolImporters: Record<string, OpImporter> = {
  MaxPool: {
    support: chain(floatOnly, spatial1or2('pooling'), declineIf((n) => !!n.outputs[1], 'MaxPool: the Indices output is not supported'),
      attrEquals('storage_order', 0, 0)),
    translate: pool,
  },
  AveragePool: {
    support: chain(floatOnly, spatial1or2('pooling'),
      declineIf((n) => attrNumber(n, 'ceil_mode', 0) === 1 && attrNumber(n, 'count_include_pad', 0) === 1,
        'AveragePool: ceil_mode with count_include_pad (padding past the end counts differently) is not supported')),
    translate: pool,
  },
  GlobalAveragePool: { support: globalRule, translate: globalPool },
  GlobalMaxPool: { support: globalRule, translate: globalPool },
};

function lower(e: Emitter, l: PoolLayer): void {
  const oneD = e.shape(l.input).length === 3;
  const pick = (v: readonly number[]) => (oneD ? [v[1]!] : [...v]);
  const attrs = {
    kernel_shape: ints(pick(l.kernel)), strides: ints(pick(l.strides)), dilations: ints(pick(l.dilations)),
    pads: ints(oneD ? [l.pads[1], l.pads[3]] : [...l.pads]),
    ...(l.op === 'avg' ? { count_include_pad: int(l.countIncludePad ? 1 : 0) } : {}),
  };
  e.node(l.op === 'max' ? 'MaxPool' : 'AveragePool', [l.input], attrs, l.output);
}

export const poolKind: LayerKindDef<PoolLayer> = {
  inputs: (l) => [l.input],
  renameInputs(l, swap) {
    l.input = swap(l.input);
  },
  clone: (l) => ({ ...l, from: [...l.from], kernel: [...l.kernel], strides: [...l.strides], pads: [...l.pads], dilations: [...l.dilations] }),
  lower,
  compile: compilePool,
};
