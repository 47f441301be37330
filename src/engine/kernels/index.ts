// The layer dispatcher: each layer kind to its kernel generator (layers/<kind>.ts names it). A
// generator returns the layer's tactics (the builder times them and keeps the fastest) or the
// reason the engine cannot run it.
import { kindOf } from '../layers/index.js';
import type { Layer } from '../network.js';
import type { KernelContext, Tactic } from './tactic.js';

export function compileLayer(layer: Layer, ctx: KernelContext): Tactic[] | string {
  const made = kindOf(layer).compile(layer, ctx);
  if (Array.isArray(made) && made.length === 0) return `no kernel generator produced a tactic for ${layer.kind} layer ${layer.name}`;
  return made;
}
