import { elementCount } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import { gemm, rowMajor } from '../_kernels/gemm.js';
import { parseEinsum, type Einsum, type EinsumSpec } from './einsum.op.js';

// Two operands whose labels each fall in one class — batch (A, B, out), m (A, out), n (B, out),
// k (A, B, summed) — are a batched matrix product: gather A as [batch, m, k] and B as
// [batch, k, n], one blocked GEMM per batch, then permute to the output order. Every other form
// (one or more than two operands, diagonals, labels summed from one operand, broadcast '...')
// runs the direct sum of products.
export const einsumCpu: CpuKernel<typeof Einsum.attrs> = (inputs, a, [out]) => {
  const spec = parseEinsum(a.equation, inputs.map((t) => t!.shape));
  const values = inputs.map((t) => f32Of(t!));
  const Y = (inputs.length === 2 && asMatmul(spec, inputs as Tensor[], values)) || sumOfProducts(spec, inputs as Tensor[], values);
  return [floatResult(out!.dtype, out!.shape, Y)];
};

/** Per operand, the element stride of each label (summed over repeats: a diagonal); 0 when absent or broadcast. */
function labelStrides(spec: EinsumSpec, tensors: readonly Tensor[], labels: readonly string[]): number[][] {
  return tensors.map((t, i) => {
    const strides = t.strides;
    return labels.map((l) => spec.operands[i]!.reduce((s, ol, d) => (ol === l && t.shape[d] !== 1 ? s + strides[d]! : s), 0));
  });
}

function sumOfProducts(spec: EinsumSpec, tensors: readonly Tensor[], values: readonly Float32Array[]): Float32Array {
  const summed = [...spec.sizes.keys()].filter((l) => !spec.output.includes(l));
  const outDims = spec.output.map((l) => spec.sizes.get(l)!);
  const sumDims = summed.map((l) => spec.sizes.get(l)!);
  const outStrides = labelStrides(spec, tensors, spec.output);
  const sumStrides = labelStrides(spec, tensors, summed);
  const Y = new Float32Array(elementCount(outDims));
  const sumCount = elementCount(sumDims);
  const base = new Array<number>(tensors.length).fill(0);
  const oi = new Array<number>(outDims.length).fill(0);
  const si = new Array<number>(sumDims.length).fill(0);
  for (let o = 0; o < Y.length; o++) {
    for (let t = 0; t < tensors.length; t++) {
      base[t] = 0;
      for (let d = 0; d < outDims.length; d++) base[t] += oi[d]! * outStrides[t]![d]!;
    }
    let acc = 0;
    si.fill(0);
    for (let s = 0; s < sumCount; s++) {
      let product = 1;
      for (let t = 0; t < tensors.length; t++) {
        let at = base[t]!;
        for (let d = 0; d < sumDims.length; d++) at += si[d]! * sumStrides[t]![d]!;
        product *= values[t]![at]!;
      }
      acc += product;
      for (let d = sumDims.length - 1; d >= 0 && ++si[d]! === sumDims[d]; d--) si[d] = 0;
    }
    Y[o] = acc;
    for (let d = outDims.length - 1; d >= 0 && ++oi[d]! === outDims[d]; d--) oi[d] = 0;
  }
  return Y;
}

/** The batched-GEMM form, or undefined when the equation does not have it. */
function asMatmul(spec: EinsumSpec, tensors: readonly Tensor[], values: readonly Float32Array[]): Float32Array | undefined {
  const [la, lb] = spec.operands as [string[], string[]];
  if (new Set(la).size !== la.length || new Set(lb).size !== lb.length) return undefined;
  for (const [i, labels] of [la, lb].entries()) {
    if (labels.some((l, d) => tensors[i]!.shape[d] !== spec.sizes.get(l))) return undefined; // broadcast '...'
  }
  const inOut = (l: string) => spec.output.includes(l);
  const batch = spec.output.filter((l) => la.includes(l) && lb.includes(l));
  const m = spec.output.filter((l) => la.includes(l) && !lb.includes(l));
  const n = spec.output.filter((l) => lb.includes(l) && !la.includes(l));
  const k = la.filter((l) => lb.includes(l) && !inOut(l));
  if (batch.length + m.length + k.length !== la.length || batch.length + n.length + k.length !== lb.length) return undefined;
  const size = (labels: string[]) => elementCount(labels.map((l) => spec.sizes.get(l)!));
  const [B, M, N, K] = [size(batch), size(m), size(n), size(k)];
  const A = gather(la, tensors[0]!, values[0]!, [...batch, ...m, ...k], spec.sizes);
  const Bm = gather(lb, tensors[1]!, values[1]!, [...batch, ...k, ...n], spec.sizes);
  const R = new Float32Array(B * M * N);
  for (let t = 0; t < B; t++) gemm(M, N, K, rowMajor(A, t * M * K, K), rowMajor(Bm, t * K * N, N), R, t * M * N, N, false);
  const order = [...batch, ...m, ...n];
  if (order.every((l, i) => l === spec.output[i])) return R;
  // R's dims are in `order`; read them in output order.
  const rStrides = order.map((_, i) => elementCount(order.slice(i + 1).map((l) => spec.sizes.get(l)!)));
  return permuted(R, spec.output.map((l) => spec.sizes.get(l)!), spec.output.map((l) => rStrides[order.indexOf(l)]!));
}

/** An operand (its dims labelled `own`) laid out densely with dims in `labels` order. */
function gather(own: string[], t: Tensor, values: Float32Array, labels: string[], sizes: Map<string, number>): Float32Array {
  const strides = t.strides;
  return permuted(values, labels.map((l) => sizes.get(l)!), labels.map((l) => strides[own.indexOf(l)]!));
}

/** A dense copy of the strided view (dims, strides) of `src`. */
function permuted(src: Float32Array, dims: readonly number[], strides: readonly number[]): Float32Array {
  const out = new Float32Array(elementCount(dims));
  const index = new Array<number>(dims.length).fill(0);
  let at = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = src[at]!;
    for (let d = dims.length - 1; d >= 0; d--) {
      at += strides[d]!;
      if (++index[d]! < dims[d]!) break;
      at -= strides[d]! * dims[d]!;
      index[d] = 0;
    }
  }
  return out;
}
