// The layer dispatcher: each layer kind to its kernel generator. A generator returns the layer's
// tactics (the builder times them and keeps the fastest) or the reason the engine cannot run it.
import type { Layer } from '../network.js';
import { compileConcat } from './concat.js';
import { compileConv } from './conv.js';
import { compileConvert } from './convert.js';
import { compileGemm } from './gemm.js';
import { compilePointwise } from './pointwise.js';
import { compilePool } from './pool.js';
import { compileReshape } from './reshape.js';
import { compileSoftmax } from './softmax.js';
import type { KernelContext, Tactic } from './tactic.js';

export function compileLayer(layer: Layer, ctx: KernelContext): Tactic[] | string {
  let made: Tactic[] | string;
  switch (layer.kind) {
    case 'conv': made = compileConv(layer, ctx); break;
    case 'gemm': made = compileGemm(layer, ctx); break;
    case 'pool': made = compilePool(layer, ctx); break;
    case 'pointwise': made = compilePointwise(layer, ctx); break;
    case 'concat': made = compileConcat(layer, ctx); break;
    case 'softmax': made = compileSoftmax(layer, ctx); break;
    case 'reshape': made = compileReshape(layer, ctx); break;
    case 'convert': made = compileConvert(layer, ctx); break;
  }
  if (Array.isArray(made) && made.length === 0) return `no kernel generator produced a tactic for ${layer.kind} layer ${layer.name}`;
  return made;
}
