// A strided view of a row-major network tensor: logical element (i0, i1, ...) of the view is
// element Σ i_k·strides[k] of the tensor (a stride of 0 broadcasts that axis). The attention layer
// reads Q, Kᵀ, V and masks through views, so transposes, head splits ([B, S, H·D] as [B, H, S, D])
// and grouped kv heads cost no copies; its output is written through one as well.
import { Tensor } from '../../tensor/tensor.js';
import { elementCount, stridesOf } from '../../tensor/shape.js';
import type { Emitter } from './emitter.js';

export interface TensorView {
  tensor: string;
  shape: number[];
  strides: number[];
}

/** The tensor of `shape` with its axes permuted by `perm` (output axis i is source axis perm[i]). */
export function permutedView(tensor: string, shape: readonly number[], perm?: readonly number[]): TensorView {
  const rowMajor = stridesOf(shape);
  const p = perm ?? shape.map((_, i) => i);
  return { tensor, shape: p.map((a) => shape[a]!), strides: p.map((a) => rowMajor[a]!) };
}

/**
 * `view` with its leading (batch) axes broadcast to `batch` (numpy rules, aligned right): missing
 * or size-1 axes get stride 0. Undefined when the batch axes do not broadcast.
 */
export function broadcastBatch(view: TensorView, batch: readonly number[]): TensorView | undefined {
  const own = view.shape.length - 2;
  const lead = batch.length - own;
  if (lead < 0) return undefined;
  const strides: number[] = [];
  for (let i = 0; i < batch.length; i++) {
    const j = i - lead;
    const d = j < 0 ? 1 : view.shape[j]!;
    if (d !== batch[i] && d !== 1) return undefined;
    strides.push(d === 1 ? 0 : view.strides[j]!);
  }
  return { tensor: view.tensor, shape: [...batch, ...view.shape.slice(-2)], strides: [...strides, ...view.strides.slice(-2)] };
}

export const cloneView = (v: TensorView): TensorView => ({ tensor: v.tensor, shape: [...v.shape], strides: [...v.strides] });

/** Flat source index of every view element, in the view's row-major order. */
export function viewIndices(shape: readonly number[], strides: readonly number[]): number[] {
  const out: number[] = [];
  const at = new Array<number>(shape.length).fill(0);
  const count = elementCount(shape);
  for (let n = 0; n < count; n++) {
    out.push(at.reduce((s, c, k) => s + c * strides[k]!, 0));
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++at[k]! < shape[k]!) break;
      at[k] = 0;
    }
  }
  return out;
}

/** The view as ONNX values: Reshape the tensor flat, then Gather the view's elements. */
export function lowerView(e: Emitter, v: TensorView): string {
  const flat = e.node('Reshape', [v.tensor, e.initializer('flat', Tensor.fromNumeric('int64', [1], [-1]))], {}, e.value(false));
  const idx = e.initializer('view', Tensor.fromNumeric('int64', v.shape, viewIndices(v.shape, v.strides)));
  return e.node('Gather', [flat, idx], {}, e.value(false));
}

/** Writes `value` (of the view's shape) into the tensor the view covers one-to-one, as ONNX nodes. */
export function lowerScatter(e: Emitter, value: string, shape: readonly number[], strides: readonly number[], target: string, targetShape: readonly number[]): void {
  const forward = viewIndices(shape, strides);
  const inverse = new Array<number>(forward.length);
  forward.forEach((t, r) => { inverse[t] = r; });
  const flat = e.node('Reshape', [value, e.initializer('flat', Tensor.fromNumeric('int64', [1], [-1]))], {}, e.value(false));
  const gathered = e.node('Gather', [flat, e.initializer('scatter', Tensor.fromNumeric('int64', [inverse.length], inverse))], {}, e.value(false));
  e.node('Reshape', [gathered, e.initializer('shape', Tensor.fromNumeric('int64', [targetShape.length], targetShape))], {}, target);
}
