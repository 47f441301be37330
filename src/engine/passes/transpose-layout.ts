// Folds NCHW ↔ NHWC transposes into the layout choice (called by the layout pass): the output of
// Transpose(0,2,3,1) of a channels-last tensor is stored row-major, and that of Transpose(0,3,1,2)
// of a row-major tensor channels-last, so both are the same bytes as their input (a view, see
// kernels/transpose.ts). Pointwise layers between them (ConvNeXt's block in channels-last order)
// keep the row-major layout of their inputs rather than converting to NHWC and back.
import type { Layer, Layout, Network } from '../network.js';
import { isBoundary } from './net-utils.js';
import { tensorInputs } from './net-utils.js';

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export function foldTransposeLayouts(net: Network, layouts: Map<string, Layout>, fixed: ReadonlySet<string>): void {
  const free = (t: string) => !isBoundary(net, t) && !fixed.has(t) && net.tensors.get(t)!.shape.length === 4;
  const toRowMajor = new Set<string>();
  for (const l of net.layers as Layer[]) {
    if (net.tensors.get(l.output)!.shape.length !== 4) continue;
    if (l.kind === 'transpose') {
      const inLayout = layouts.get(l.input);
      if (same(l.perm, [0, 2, 3, 1]) && inLayout === 'nhwc') {
        if (free(l.output)) layouts.set(l.output, 'nchw');
        if (layouts.get(l.output) !== 'nhwc') toRowMajor.add(l.output);
      } else if (same(l.perm, [0, 3, 1, 2]) && inLayout !== 'nhwc' && free(l.output)) {
        layouts.set(l.output, 'nhwc');
      }
    } else if (l.kind === 'pointwise') {
      const ins = tensorInputs(l);
      const out = net.tensors.get(l.output)!.shape;
      if (ins.some((t) => toRowMajor.has(t)) && ins.every((t) => toRowMajor.has(t) || !same(net.tensors.get(t)!.shape, out))) {
        if (free(l.output)) layouts.set(l.output, 'nchw');
        if (layouts.get(l.output) !== 'nhwc') toRowMajor.add(l.output);
      }
    } else if (kindsKeepingRows(l) && tensorInputs(l).some((t) => toRowMajor.has(t)) && layouts.get(l.output) !== 'nhwc') {
      toRowMajor.add(l.output);
    }
  }
}

/** Layers whose rank-4 output is row-major whenever their input is (they were made NCHW as row-major kinds). */
const kindsKeepingRows = (l: Layer) => l.kind === 'gemm' || l.kind === 'softmax' || l.kind === 'matmul' || l.kind === 'slice';
