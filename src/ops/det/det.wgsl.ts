import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { elementCount } from '../../tensor/shape.js';

/** The largest matrix a shader invocation eliminates in its private memory. */
const MAX_M = 8;

// One invocation per matrix: Gaussian elimination with partial pivoting on a private copy (in
// f32; the CPU kernel works in f64), the determinant being the product of the pivots, negated once
// per row swap. Matrices past MAX_M × MAX_M stay on the CPU.
export const detWgsl: GpuKernel = ([x], _attrs, [out]) => {
  const m = x!.shape.at(-1)!;
  if (m > MAX_M) return `Det of ${m}×${m} matrices (the shader takes up to ${MAX_M}×${MAX_M})`;
  const count = elementCount(out!.shape);
  const u = new Uniforms().add('dims', 'u32', [count, m]);
  const [COUNT, M] = [0, 1].map((i) => u.at('dims', i));
  const body = `if (gi >= ${COUNT}) { return; }
    let m = ${M};
    var a: array<f32, ${MAX_M * MAX_M}>;
    for (var i = 0u; i < m * m; i = i + 1u) { a[i] = X[gi * m * m + i]; }
    var det = 1.0;
    for (var col = 0u; col < m; col = col + 1u) {
      var pivot = col;
      for (var r = col + 1u; r < m; r = r + 1u) { if (abs(a[r * m + col]) > abs(a[pivot * m + col])) { pivot = r; } }
      if (a[pivot * m + col] == 0.0) { det = 0.0; break; }
      if (pivot != col) {
        for (var c = 0u; c < m; c = c + 1u) { let t = a[col * m + c]; a[col * m + c] = a[pivot * m + c]; a[pivot * m + c] = t; }
        det = -det;
      }
      let p = a[col * m + col];
      det = det * p;
      for (var r = col + 1u; r < m; r = r + 1u) {
        let f = a[r * m + col] / p;
        for (var c = col; c < m; c = c + 1u) { a[r * m + c] = a[r * m + c] - f * a[col * m + c]; }
      }
    }
    Y[gi] = ${narrow('det', out!.dtype)};`;
  return {
    programs: [{
      key: `det:${out!.dtype}`,
      source: () => `${storage(0, 'X', 'f32', 'read')}${storage(1, 'Y', 'f32', 'read_write')}${u.declare(2)}\n${linearMain(body)}`,
      bindings: [{ input: 0 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(count),
    }],
  };
};
