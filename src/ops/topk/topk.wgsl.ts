import { wgslType } from '../../devices/webgpu/dtype.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { elementCount, normalizeAxis } from '../../tensor/shape.js';
import type { TopK } from './topk.op.js';

// One invocation per input element, x seen as [outer, n, inner] around the axis: its rank in its
// line is the count of elements that come before it (better, or equal at a lower index, so ranks
// are distinct); rank < k writes it to output position `rank`. The count stops at k, so elements
// outside the top k stop early: about k·n·log n comparisons per line on random data. NaN ranks
// above every number for largest and below for smallest. Results are always sorted.
export const topKWgsl: GpuKernel<typeof TopK.attrs> = ([x], { axis, largest }, [values]) => {
  const a = normalizeAxis(axis, x!.shape.length);
  const n = x!.shape[a]!;
  const k = values!.shape[a]!;
  const inner = elementCount(x!.shape.slice(a + 1));
  const size = elementCount(x!.shape);
  const t = wgslType(x!.dtype);
  const u = new Uniforms().add('dims', 'u32', [size, n, inner, k]);
  const [SIZE, N, INNER, K] = [0, 1, 2, 3].map((i) => u.at('dims', i));
  const nan = (v: string) => (t === 'f32' ? `((bitcast<u32>(${v}) & 0x7fffffffu) > 0x7f800000u)` : 'false');
  const better = largest
    ? `fn better(p: ${t}, q: ${t}) -> bool { return (${nan('p')} && !${nan('q')}) || p > q; }`
    : `fn better(p: ${t}, q: ${t}) -> bool { return (${nan('q')} && !${nan('p')}) || p < q; }`;
  const body = `if (gi >= ${SIZE}) { return; }
    let i = (gi / ${INNER}) % ${N};
    let base = gi - i * ${INNER};
    let v = X[gi];
    var rank = 0u;
    for (var j = 0u; j < ${N} && rank < ${K}; j = j + 1u) {
      let w = X[base + j * ${INNER}];
      if (better(w, v) || (j < i && !better(v, w))) { rank = rank + 1u; }
    }
    if (rank < ${K}) {
      let at = ((gi / (${INNER} * ${N})) * ${K} + rank) * ${INNER} + gi % ${INNER};
      V[at] = v;
      I[at] = i32(i);
    }`;
  return {
    programs: [{
      key: `topk:${t}:${largest ? 'max' : 'min'}`,
      source: () => `${storage(0, 'X', t, 'read')}${storage(1, 'V', t, 'read_write')}${storage(2, 'I', 'i32', 'read_write')}${u.declare(3)}${better}\n${linearMain(body)}`,
      bindings: [{ input: 0 }, { output: 0 }, { output: 1 }], uniforms: u, workgroups: linearDispatch(size),
    }],
  };
};
