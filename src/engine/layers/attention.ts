// Fused scaled-dot-product attention: O = outScale · softmax(scale · Q·Kᵀ + Σ factor·mask, causal) · V
// over a batch of [Sq, D] × [D, Sk] × [Sk, Dv] problems, computed flash-attention style (the
// Sq×Sk scores never exist in memory; kernels/attention.ts). Operands are strided views
// (tensor-view.ts). Made by passes/fuse-attention.ts from matmul → softmax → matmul chains, and
// imported from ONNX Attention (opset 23/24) directly.
import { Attention, attentionDims } from '../../ops/attention/attention.op.js';
import { parseAttrs } from '../../ir/attr.js';
import { nodeWhere, type Node } from '../../ir/graph.js';
import { check, constantOf, type SupportContext } from '../../partition/predicate.js';
import { stridesOf } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { compileAttention } from '../kernels/attention.js';
import { broadcastStrides } from '../kernels/pointwise.js';
import { KernelReason } from '../kernels/convert.js';
import type { LayerBase } from '../network.js';
import { int } from './emitter.js';
import type { LayerKindDef, OpImporter } from './kind.js';
import { base, type NodeView } from './node-view.js';
import { cloneView, lowerScatter, lowerView, type TensorView } from './tensor-view.js';

export interface AttentionMask {
  /**
   * [...batch, Sq, Sk] view of an additive mask (stride 0 on broadcast axes); with `constant`, a
   * view of those values (its `tensor` is then not a network tensor).
   */
  view: TensorView;
  constant?: Float32Array;
  /** The mask is multiplied by this before it is added (a softmax scale applied after it). */
  factor: number;
}

export interface AttentionLayer extends LayerBase {
  kind: 'attention';
  /** [...batch, Sq, D]. */
  q: TensorView;
  /** Kᵀ: [...batch, D, Sk]. */
  kt: TensorView;
  /** [...batch, Sk, Dv]. */
  v: TensorView;
  masks: AttentionMask[];
  /** Multiplies Q·Kᵀ. */
  scale: number;
  /** Key j is left out for query i when j > i + causalOffset; undefined: no causal limit. */
  causalOffset?: number;
  /** Multiplies the result. */
  outScale: number;
  output: string;
  /** Where result element [...batch, Sq, Dv] goes in `output` (row-major element strides). */
  outStrides: number[];
}

/** The batch axes shared by every view, then Sq, D, Sk, Dv. */
export function attentionDimsOf(l: AttentionLayer) {
  const r = l.q.shape.length;
  return { batch: l.q.shape.slice(0, r - 2), sq: l.q.shape[r - 2]!, d: l.q.shape[r - 1]!, sk: l.kt.shape[r - 1]!, dv: l.v.shape[r - 1]! };
}

type Plan = Omit<AttentionLayer, 'name' | 'from'>;

type Lookup = { shape(v: string): readonly number[]; dtype(v: string): string; constant(v: string): boolean };

/**
 * The attention layer for an ONNX Attention node, or why the engine declines it. Q heads share
 * kv heads in groups of G: the views' batch axes are [B, kvHeads, G].
 */
function planAttention(node: Node, at: Lookup): Plan | string {
  const a = parseAttrs(Attention.attrs, node.attrs, nodeWhere(node));
  const [q, k, v, mask, pk, pv, nonpad] = node.inputs;
  if (pk || pv) return 'Attention: past_key/past_value (a KV cache) is not supported';
  if (nonpad) return 'Attention: nonpad_kv_seqlen is not supported';
  if (node.outputs.slice(1).some((o) => o)) return 'Attention: only output Y is supported (present_key, present_value, qk_matmul_output are not)';
  if (a.softcap !== 0) return 'Attention: softcap is not supported';
  if (a.left_window_size >= 0 || a.right_window_size >= 0) return 'Attention: windowed attention is not supported';
  for (const t of [q!, k!, v!, node.outputs[0]!]) if (at.dtype(t) !== 'float32') return `Attention: ${t} is ${at.dtype(t)}; the engine takes float32`;
  for (const t of [q!, k!, v!]) if (at.constant(t)) return `Attention: a constant ${t} is not supported`;
  const info = (t: string) => ({ dtype: at.dtype(t) as 'float32', shape: at.shape(t) });
  let d;
  try {
    d = attentionDims([info(q!), info(k!), info(v!)], a);
  } catch (e) {
    return `Attention: ${(e as Error).message}`;
  }
  const G = d.qHeads / d.kvHeads;
  const [B, Hq, Hkv, Sq, Sk, D, Dv] = [d.batch, d.qHeads, d.kvHeads, d.qLen, d.kvLen, d.headDim, d.vHeadDim];
  const batch = [B, Hkv, G];
  // element strides of (b, h, s, e) in the 4-D [B, H, S, E] or 3-D [B, S, H·E] form
  const bhse = (H: number, S: number, E: number) => (d.rank === 4 ? [H * S * E, S * E, E, 1] : [S * H * E, E, H * E, 1]);
  const [qb, qh, qs, qe] = bhse(Hq, Sq, D);
  const [kb, kh, ks, ke] = bhse(Hkv, Sk, D);
  const [vb, vh, vs, ve] = bhse(Hkv, Sk, Dv);
  const [ob, oh, os, oe] = bhse(Hq, Sq, Dv);
  const layer: Plan = {
    kind: 'attention',
    q: { tensor: q!, shape: [...batch, Sq, D], strides: [qb!, G * qh!, qh!, qs!, qe!] },
    kt: { tensor: k!, shape: [...batch, D, Sk], strides: [kb!, kh!, 0, ke!, ks!] },
    v: { tensor: v!, shape: [...batch, Sk, Dv], strides: [vb!, vh!, 0, vs!, ve!] },
    masks: [],
    scale: a.scale ?? 1 / Math.sqrt(D),
    outScale: 1,
    output: node.outputs[0]!,
    outStrides: [ob!, G * oh!, oh!, os!, oe!],
    ...(a.is_causal ? { causalOffset: 0 } : {}),
  };
  if (mask) {
    if (at.dtype(mask) !== 'float32') return `Attention: a ${at.dtype(mask)} attn_mask is not supported (only a float32 additive mask)`;
    if (at.constant(mask)) return 'Attention: a constant attn_mask is not supported (only a computed tensor)';
    const ms = at.shape(mask);
    if (ms[ms.length - 1] !== Sk) return `Attention: an attn_mask ${ms[ms.length - 1]} wide for ${Sk} keys (padded masks) is not supported`;
    let st: number[];
    try {
      st = broadcastStrides([B, Hq, Sq, Sk], ms, stridesOf(ms), 'attn_mask');
    } catch (e) {
      if (e instanceof KernelReason) return `Attention: ${e.message}`;
      throw e;
    }
    layer.masks.push({ view: { tensor: mask, shape: [...batch, Sq, Sk], strides: [st[0]!, G * st[1]!, st[1]!, st[2]!, st[3]!] }, factor: 1 });
  }
  return layer;
}

const supportAttention = check((node, ctx: SupportContext) => {
  const p = planAttention(node, {
    shape: (v) => ctx.types.get(v)!.shape,
    dtype: (v) => ctx.types.get(v)!.dtype,
    constant: (v) => constantOf(v, ctx) !== undefined,
  });
  return typeof p === 'string' ? p : undefined;
});

// the support rule checked the dtypes already: every value reaching the translator is float32
function translate(n: NodeView): AttentionLayer {
  const p = planAttention(n.node, { shape: n.shape, dtype: () => 'float32', constant: (v) => n.constant(v) !== undefined });
  if (typeof p === 'string') n.fail(p);
  return { ...p, ...base(n) };
}

export const attentionImporters: Record<string, OpImporter> = {
  Attention: { support: supportAttention, translate },
};

/** The masks read from network tensors (not constants). */
export const tensorMasks = (l: AttentionLayer): AttentionMask[] => l.masks.filter((m) => !m.constant);

const scalar = (e: Parameters<LayerKindDef<AttentionLayer>['lower']>[0], name: string, v: number) => e.initializer(name, Tensor.fromArray([], [v]));

export const attentionKind: LayerKindDef<AttentionLayer> = {
  inputs: (l) => [...new Set([l.q.tensor, l.kt.tensor, l.v.tensor, ...tensorMasks(l).map((m) => m.view.tensor)])],
  renameInputs(l, swap) {
    for (const v of [l.q, l.kt, l.v, ...tensorMasks(l).map((m) => m.view)]) v.tensor = swap(v.tensor);
  },
  clone: (l) => ({
    ...l, from: [...l.from], q: cloneView(l.q), kt: cloneView(l.kt), v: cloneView(l.v),
    masks: l.masks.map((m) => ({ ...m, view: cloneView(m.view) })), outStrides: [...l.outStrides],
  }),
  lower(e, l) {
    const { batch, sq, sk, dv } = attentionDimsOf(l);
    let s = e.node('MatMul', [lowerView(e, l.q), lowerView(e, l.kt)], {}, e.value(false));
    s = e.node('Mul', [s, scalar(e, 'scale', l.scale)], {}, e.value(false));
    for (const m of l.masks) {
      const src = m.constant ? e.initializer('mask', new Tensor('float32', [m.constant.length], m.constant)) : m.view.tensor;
      let mv = lowerView(e, { ...m.view, tensor: src });
      if (m.factor !== 1) mv = e.node('Mul', [mv, scalar(e, 'mask.factor', m.factor)], {}, e.value(false));
      s = e.node('Add', [s, mv], {}, e.value(false));
    }
    if (l.causalOffset !== undefined) {
      const tri = new Float32Array(sq * sk);
      for (let i = 0; i < sq; i++) for (let j = 0; j < sk; j++) tri[i * sk + j] = j > i + l.causalOffset ? -Infinity : 0;
      s = e.node('Add', [s, e.initializer('causal', new Tensor('float32', [sq, sk], tri))], {}, e.value(false));
    }
    const p = e.node('Softmax', [s], { axis: int(-1) }, e.value(false));
    let o = e.node('MatMul', [p, lowerView(e, l.v)], {}, e.value(false));
    if (l.outScale !== 1) o = e.node('Mul', [o, scalar(e, 'out.scale', l.outScale)], {}, e.value(false));
    lowerScatter(e, o, [...batch, sq, dv], l.outStrides, l.output, e.shape(l.output));
  },
  compile: compileAttention,
  rowMajor: true,
};
