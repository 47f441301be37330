// Fuses attention's matmul → softmax → matmul chain (as fuse-matmul and fuse-softmax-mask leave
// it: S = alpha·Q·Kᵀ + residual; P = softmax(S·scale + mask); O = alpha₂·P·V) into one attention
// layer when S and P have no other readers. The matmuls' operand permutations become the views'
// strides; a Transpose reading only O (BERT's [B, H, S, D] → [B, S, H, D]) becomes the output
// strides. softmax(x·s + m) with S = a·QKᵀ + r is softmax(a·s·QKᵀ + s·r + m): r is a mask with
// factor s.
import type { AttentionLayer, AttentionMask } from '../layers/attention.js';
import { broadcastBatch, permutedView, type TensorView } from '../layers/tensor-view.js';
import { broadcastStrides } from '../kernels/pointwise.js';
import { KernelReason } from '../kernels/convert.js';
import type { Layer, MatmulLayer, Network, PointwiseLayer, SoftmaxLayer } from '../network.js';
import { constOperandIndex, isConstOperand } from './pw-expr.js';
import { stridesOf } from '../../tensor/shape.js';
import { consumers, isBoundary, producers } from './net-utils.js';
import type { EnginePass } from './pass.js';

const identity = (p: readonly number[] | undefined) => !p || p.every((a, i) => a === i);
const plainEpilogue = (m: MatmulLayer) => !m.bias && m.act.kind === 'none';

interface Chain {
  m1: MatmulLayer;
  /** A pointwise `scores + constant` between m1 and the softmax (a constant mask, folded by ONNX export). */
  add?: { layer: PointwiseLayer; mask: { values: Float32Array; shape: number[] } };
  sm: SoftmaxLayer;
  m2: MatmulLayer;
}

/** `x + c` for tensor x and a broadcast constant c: c, or undefined. */
function constantAdd(p: PointwiseLayer, x: string): { values: Float32Array; shape: number[] } | undefined {
  const e = p.expr;
  if (e.op !== 'binary' || e.fn !== 'add' || e.a.op !== 'input' || e.b.op !== 'input' || p.inputs.length !== 2) return undefined;
  const [i, j] = [e.a.index, e.b.index];
  const c = p.inputs[i] === x ? p.inputs[j]! : p.inputs[j] === x ? p.inputs[i]! : undefined;
  if (c === undefined || !isConstOperand(c)) return undefined;
  const k = p.constants?.[constOperandIndex(c)];
  return k && !(k instanceof Float32Array) ? { values: k.values, shape: [...k.shape] } : undefined;
}

/** The chain ending at matmul `m2`, when its intermediates are read by the chain only. */
function chainAt(m2: MatmulLayer, net: Network, made: Map<string, Layer>, users: Map<string, Layer[]>): Chain | undefined {
  const only = (t: string, l: Layer) => !isBoundary(net, t) && users.get(t)?.length === 1 && users.get(t)![0] === l;
  if (!plainEpilogue(m2) || m2.residual || !identity(m2.aPerm) || m2.b === m2.a) return undefined;
  const sm = made.get(m2.a);
  if (sm?.kind !== 'softmax' || sm.log || !only(sm.output, m2)) return undefined;
  const rank = net.tensors.get(sm.output)!.shape.length;
  if ((sm.axis ?? rank - 1) !== rank - 1) return undefined;
  let m1 = made.get(sm.input);
  let add: Chain['add'];
  if (m1?.kind === 'pointwise' && sm.mask === undefined && only(m1.output, sm)) {
    const p = m1;
    m1 = made.get(p.inputs.find((t) => !isConstOperand(t)) ?? '');
    const mask = m1 && constantAdd(p, m1.output);
    if (!mask) return undefined;
    add = { layer: p, mask };
    if (!only(m1!.output, p)) return undefined;
  } else if (m1 && !only(m1.output, sm)) return undefined;
  if (m1?.kind !== 'matmul' || !plainEpilogue(m1)) return undefined;
  return { m1, sm, m2, ...(add ? { add } : {}) };
}

/** A view of `t` as operand `perm` broadcast to the batch, or undefined. */
function operand(net: Network, t: string, perm: number[] | undefined, batch: number[]): TensorView | undefined {
  return broadcastBatch(permutedView(t, net.tensors.get(t)!.shape, perm), batch);
}

/** The offset c when `mask` [.., Sq, Sk] (equal over its batch) is 0 where j ≤ i + c and ≤ −1e30 elsewhere. */
function causalOffsetOf(values: Float32Array, sq: number, sk: number): number | undefined {
  if (values.length !== sq * sk) return undefined;
  // row 0 attends keys 0..offset
  const off = values.slice(0, sk).findIndex((x) => x !== 0) - 1;
  if (off < 0) return undefined;
  for (let i = 0; i < sq; i++) {
    for (let j = 0; j < sk; j++) {
      const x = values[i * sk + j]!;
      if (j <= i + off ? x !== 0 : !(x <= -1e30)) return undefined;
    }
  }
  return off;
}

/** The layer fields a constant mask adds: none (all zeros), a causal limit, or a constant mask. */
function constantMask(mask: { values: Float32Array; shape: number[] }, scores: readonly number[], factor: number): Partial<AttentionLayer> | undefined {
  if (mask.values.every((x) => x === 0)) return {};
  const [sq, sk] = scores.slice(-2) as [number, number];
  const lead = mask.shape.slice(0, -2);
  const off = lead.every((d) => d === 1) && mask.shape.length >= 2 ? causalOffsetOf(mask.values, sq, sk) : undefined;
  if (off !== undefined && off >= 0 && factor > 0) return { causalOffset: off };
  try {
    return { masks: [{ view: { tensor: 'constant', shape: [...scores], strides: broadcastStrides(scores, mask.shape, stridesOf(mask.shape), 'mask') }, constant: mask.values, factor }] };
  } catch (e) {
    if (e instanceof KernelReason) return undefined;
    throw e;
  }
}

function fuse({ m1, add, sm, m2 }: Chain, net: Network): AttentionLayer | undefined {
  const scores = net.tensors.get(m1.output)!.shape;
  const batch = scores.slice(0, -2);
  const out = net.tensors.get(m2.output)!.shape;
  if (out.length !== scores.length || batch.some((d, i) => out[i] !== d)) return undefined;
  const q = operand(net, m1.a, m1.aPerm, batch);
  const kt = operand(net, m1.b, m1.bPerm, batch);
  const v = operand(net, m2.b, m2.bPerm, batch);
  if (!q || !kt || !v) return undefined;
  const factor = sm.scale ?? 1;
  const masks: AttentionMask[] = [];
  for (const [t, f] of [[m1.residual, factor], [sm.mask, 1]] as const) {
    if (t === undefined) continue;
    const ms = net.tensors.get(t)!.shape;
    try {
      masks.push({ view: { tensor: t, shape: [...scores], strides: broadcastStrides(scores, ms, stridesOf(ms), 'mask') }, factor: f });
    } catch (e) {
      if (e instanceof KernelReason) return undefined;
      throw e;
    }
  }
  const fromConstant = add ? constantMask(add.mask, scores, factor) : {};
  if (!fromConstant) return undefined;
  masks.push(...(fromConstant.masks ?? []));
  return {
    kind: 'attention', name: m2.name, from: [...m1.from, ...(add ? add.layer.from : []), ...sm.from, ...m2.from],
    q, kt, v, masks, scale: m1.alpha * factor, outScale: m2.alpha,
    ...(fromConstant.causalOffset !== undefined ? { causalOffset: fromConstant.causalOffset } : {}),
    output: m2.output, outStrides: stridesOf(out),
    ...(m2.precision ? { precision: m2.precision } : {}),
  };
}

export const fuseAttentionPass: EnginePass = {
  name: 'fuse-attention',
  description: 'fuse matmul → softmax → matmul (attention) into one flash-attention layer',
  run(net, ctx) {
    for (let changed = true; changed;) {
      changed = false;
      const made = producers(net);
      const users = consumers(net);
      for (const l of net.layers) {
        if (l.kind !== 'matmul') continue;
        const c = chainAt(l, net, made, users);
        const layer = c && fuse(c, net);
        if (!c || !layer) continue;
        const readers = users.get(l.output) ?? [];
        const t = readers[0];
        let log = '';
        if (readers.length === 1 && t?.kind === 'transpose' && !isBoundary(net, l.output) && t.perm.length === layer.outStrides.length) {
          const shape = net.tensors.get(t.output)!.shape;
          const st = stridesOf(shape);
          t.perm.forEach((a, i) => { layer.outStrides[a] = st[i]!; });
          layer.output = t.output;
          layer.from.push(...t.from);
          net.layers.splice(net.layers.indexOf(t), 1);
          log = ` (writing through transpose ${t.name})`;
        }
        net.layers[net.layers.indexOf(l)] = layer;
        for (const gone of [c.m1, ...(c.add ? [c.add.layer] : []), c.sm]) net.layers.splice(net.layers.indexOf(gone), 1);
        ctx.change(`fused ${layer.from.join(' + ')} → attention ${layer.name}${log}`);
        changed = true;
        break;
      }
    }
  },
};
