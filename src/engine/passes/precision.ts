// Chooses each tensor's storage. fp32: everything f32. fp16 on a device with shader-f16: internal
// tensors are native halves ('f16', any shape), and matrix kernels may multiply in f16. fp16
// elsewhere: internal tensors are packed halves (f16x2) where the innermost physical axis is even,
// so pairs are contiguous, and arithmetic stays f32. Either way network inputs and outputs stay
// f32, and so do tensors written or only touched by layers forced to fp32 (BuilderConfig.layerPrecision,
// applied here to the layers by name). Integer and bool tensors are i32 in every precision.
import { isFloatTensor, type Network } from '../network.js';
import { pairable } from '../kernels/access.js';
import type { EnginePass, PassContext } from './pass.js';
import { consumers, isBoundary, producers } from './net-utils.js';

/** Sets `layer.precision` from the overrides, matched by layer name or by a fused IR node's name. */
function applyOverrides(net: Network, ctx: PassContext): void {
  for (const [name, precision] of Object.entries(ctx.layerPrecision)) {
    const hits = net.layers.filter((l) => l.name === name || l.from.includes(name));
    for (const l of hits) l.precision = precision;
    ctx.change(hits.length ? `layer ${hits.map((l) => l.name).join(', ')} runs in ${precision} (override for ${name})` : `precision override for ${name}: no such layer (ignored)`);
  }
}

export const precisionPass: EnginePass = {
  name: 'precision',
  description: 'fp16: native f16 storage for internal tensors with shader-f16, else f16x2 where pairs are contiguous; f32 elsewhere',
  run(net, ctx) {
    applyOverrides(net, ctx);
    const native = ctx.caps.shaderF16;
    const writers = producers(net);
    const readers = consumers(net);
    for (const [name, t] of net.tensors) {
      // integer and bool tensors are i32 whatever the precision
      if (!isFloatTensor(t)) {
        t.format = { ...t.format, storage: 'i32' };
        continue;
      }
      const touching = [writers.get(name), ...(readers.get(name) ?? [])].filter((l) => l !== undefined);
      // a layer forced to fp32 writes f32 (its readers take any storage); a tensor only fp32 layers read stays f32 too
      const forcedF32 = writers.get(name)?.precision === 'fp32' || (touching.length > 0 && touching.every((l) => l.precision === 'fp32'));
      const half = ctx.precision === 'fp16' && !isBoundary(net, name) && !forcedF32 && (native || pairable(t.shape, t.format.layout));
      t.format = { ...t.format, storage: !half ? 'f32' : native ? 'f16' : 'f16x2' };
    }
    keepConsistent(net);
    if (ctx.precision === 'fp16') {
      const all = [...net.tensors.values()];
      const storage = native ? 'f16' : 'f16x2';
      const halves = all.filter((t) => t.format.storage === storage).length;
      ctx.change(`fp16: ${halves} of ${all.length} tensors stored as ${storage}${native ? ' (shader-f16)' : ''}`);
    }
  },
};

/**
 * Storage choices that must agree: a reshape is a view, so its input and output share storage;
 * an in-place concat's inputs are regions of its output, and packed pairs must not straddle two
 * inputs (each input's channel count even when channels are innermost; native f16 has no pairs).
 */
function keepConsistent(net: Network): void {
  const tensor = (n: string) => net.tensors.get(n)!;
  for (let changed = true; changed;) {
    changed = false;
    const toF32 = (n: string) => {
      if (tensor(n).format.storage === 'f32' || !isFloatTensor(tensor(n))) return;
      tensor(n).format = { ...tensor(n).format, storage: 'f32' };
      changed = true;
    };
    for (const l of net.layers) {
      if (l.kind === 'reshape' && tensor(l.input).format.storage !== tensor(l.output).format.storage) {
        toF32(l.input);
        toF32(l.output);
      }
      // the int8 kernels read f32 or packed halves (their dot4I8Packed loads have no native-f16 form)
      if (l.kind === 'qlinear' && tensor(l.input).format.storage === 'f16') toF32(l.input);
      // they write floats in f32 or native f16, not packed pairs
      if (l.kind === 'qlinear') for (const o of [l.output, ...(l.parts ?? []).map((p) => p.output)]) if (tensor(o).format.storage === 'f16x2') toF32(o);
      if (l.kind === 'concat' && l.inPlace) {
        const out = tensor(l.output);
        const oddChannels = out.format.storage === 'f16x2' && out.format.layout === 'nhwc' && l.inputs.some((t) => tensor(t).shape[1]! % 2 !== 0);
        if (oddChannels) toF32(l.output);
        for (const t of l.inputs) if (tensor(t).format.storage !== tensor(l.output).format.storage) {
          tensor(t).format = { ...tensor(t).format, storage: tensor(l.output).format.storage };
          changed = true;
        }
      }
    }
  }
}
