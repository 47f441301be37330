// Multidirectional (numpy) broadcasting for elementwise kernels: one walk over the output in
// contiguous rows, with each input's start offset and step along the row.
import { broadcastStrides, elementCount, type Shape } from '../../tensor/shape.js';

/**
 * Calls `row(out, starts, steps, n)` for each run of `n` output elements starting at flat offset
 * `out`; input k's elements for that run are at starts[k] + j·steps[k] (steps are 0 along
 * broadcast axes). Adjacent axes that every input walks alike are merged first, so equal shapes
 * and scalar operands come out as one row, and [N,C,H,W] against [1,C,1,1] as rows of H·W.
 * `inputs` must broadcast to `outShape` (shape inference checked it).
 */
export function broadcastRows(
  outShape: Shape,
  inputs: readonly Shape[],
  row: (out: number, starts: readonly number[], steps: readonly number[], n: number) => void,
): void {
  const total = elementCount(outShape);
  if (total === 0) return;
  const k = inputs.length;
  // merged axes: dims[a] and strides[i][a], outermost first
  const dims: number[] = [];
  const strides: number[][] = inputs.map(() => []);
  const full = inputs.map((s) => broadcastStrides(s, outShape));
  outShape.forEach((d, axis) => {
    if (d === 1) return;
    const last = dims.length - 1;
    // axis merges into the previous one when, for every input, stepping the previous axis once
    // equals stepping this one d times (both real and contiguous, or both broadcast)
    if (last >= 0 && full.every((st, i) => strides[i]![last] === st[axis]! * d)) {
      dims[last]! *= d;
      full.forEach((st, i) => { strides[i]![last] = st[axis]!; });
      return;
    }
    dims.push(d);
    full.forEach((st, i) => strides[i]!.push(st[axis]!));
  });
  if (dims.length === 0) {
    row(0, inputs.map(() => 0), inputs.map(() => 0), 1);
    return;
  }
  const inner = dims.length - 1;
  const n = dims[inner]!;
  const steps = strides.map((s) => s[inner]!);
  const starts = new Array<number>(k).fill(0);
  const counter = new Array<number>(inner).fill(0);
  for (let out = 0; out < total; out += n) {
    row(out, starts, steps, n);
    // advance the outer-axis counter like an odometer, moving each input's start with it
    for (let a = inner - 1; a >= 0; a--) {
      counter[a]!++;
      for (let i = 0; i < k; i++) starts[i]! += strides[i]![a]!;
      if (counter[a]! < dims[a]!) break;
      counter[a] = 0;
      for (let i = 0; i < k; i++) starts[i]! -= strides[i]![a]! * dims[a]!;
    }
  }
}
