// What a pass is: a named, described rewrite of the network, run in the order of the pipeline.
// Passes edit the network they are given in place and report each change as one log line.
import type { DeviceCaps } from '../../devices/webgpu/caps.js';
import type { Graph } from '../../ir/graph.js';
import type { Layer, LayerKind, Network } from '../network.js';
import { consumers, isBoundary } from './net-utils.js';

export type Precision = 'fp32' | 'fp16';

export interface PassContext {
  /** The network's default precision. */
  precision: Precision;
  /** Per-layer overrides (BuilderConfig.layerPrecision), keyed by layer or IR node name. */
  layerPrecision: Readonly<Record<string, Precision>>;
  /** The device the network is built for: fp16 stores native halves where it has shaderF16. */
  caps: DeviceCaps;
  /** An int8 build's calibration scales by tensor name (implicit quantization); undefined otherwise. */
  int8?: ReadonlyMap<string, number>;
  /** int8: the calibration was made on the cross-layer-equalized network (equalize pass). */
  equalize?: boolean;
  /** With equalize: per-channel max |x| of the tensors between equalized convs (the cache's `#channels` lines). */
  channelRanges?: ReadonlyMap<string, Float32Array>;
  /** Records one change the pass made ("fused Conv_0 + Relu_1 → conv Conv_0"). */
  change(line: string): void;
}

export interface EnginePass {
  name: string;
  description: string;
  run(net: Network, ctx: PassContext): void;
}

/** A pass over the IR graph, run before the graph becomes a network (constant folding). */
export interface GraphPass {
  name: string;
  description: string;
  run(graph: Graph, ctx: { change(line: string): void }): Graph;
}

/**
 * A producer → consumer rewrite as data: when `producer` writes a tensor that only `consumer`
 * reads (and that is not a network output), `match` decides whether the pair fits and `rewrite`
 * returns the one layer replacing both (placed where the consumer was: every tensor the pair
 * reads is ready there) plus a log line.
 */
export interface PairRule<P extends Layer = Layer, C extends Layer = Layer> {
  /** One line: the algebra of the rewrite. */
  name: string;
  producer: LayerKind[];
  consumer: LayerKind[];
  match(p: P, c: C, net: Network): boolean;
  rewrite(p: P, c: C, net: Network): { layer: Layer; log?: string };
}

/**
 * Applies the rules until none matches. Each rewrite replaces the pair by one layer that writes
 * the consumer's output; the intermediate tensor disappears. Returns the number of rewrites.
 */
export function applyPairRules(net: Network, rules: readonly PairRule[], ctx: PassContext): number {
  let count = 0;
  for (;;) {
    const applied = applyOne(net, rules, ctx);
    if (!applied) return count;
    count++;
  }
}

function applyOne(net: Network, rules: readonly PairRule[], ctx: PassContext): boolean {
  const users = consumers(net);
  for (const p of net.layers) {
    const readers = users.get(p.output);
    if (!readers || readers.length !== 1 || isBoundary(net, p.output)) continue;
    const c = readers[0]!;
    for (const rule of rules) {
      if (!rule.producer.includes(p.kind) || !rule.consumer.includes(c.kind) || !rule.match(p, c, net)) continue;
      const { layer, log } = rule.rewrite(p, c, net);
      net.layers.splice(net.layers.indexOf(p), 1);
      net.layers[net.layers.indexOf(c)] = layer;
      net.tensors.delete(p.output);
      if (log) ctx.change(log);
      return true;
    }
  }
  return false;
}
