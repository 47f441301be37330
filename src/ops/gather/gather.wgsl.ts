import { wgslType } from '../../devices/webgpu/dtype.js';
import type { BufferRef, GpuKernel, Program } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { blockSpans, oversizedConstant } from '../../devices/webgpu/weight-blocks.js';
import type { DType } from '../../tensor/dtype.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { sliceAxis } from '../_kernels/pieces.js';
import type { Gather } from './gather.op.js';

// y[o, j, i] = x[o, indices[j] (negative counts from the end), i] with x seen as
// [outer, axis dim, inner] and the indices flattened. A constant x over the storage binding limit
// (an embedding table) is cut into blocks of rows along the axis: one dispatch per block, each
// writing the outputs whose index falls in its rows.
export const gatherWgsl: GpuKernel<typeof Gather.attrs> = ([x, idx], a, [out], caps) => {
  const axis = normalizeAxis(a.axis, x!.shape.length);
  const outer = x!.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = x!.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const count = idx!.shape.reduce((p, d) => p * d, 1);
  const size = out!.shape.reduce((p, d) => p * d, 1);
  const dim = x!.shape[axis]!;
  const geometry = { dtype: x!.dtype, size, inner, count, dim };
  const big = oversizedConstant(x, caps);
  if (!big) return { programs: [gatherProgram(geometry, { input: 0 })] };
  const spans = blockSpans(dim, outer * inner, caps, `slice of the table along axis ${axis}`);
  if (typeof spans === 'string') return spans;
  return {
    programs: spans.map((s, j) => gatherProgram(geometry, { constant: j }, s)),
    constants: spans.map((s) => sliceAxis(big, axis, s.start, s.len)),
  };
};

interface GatherGeometry { dtype: DType; size: number; inner: number; count: number; dim: number }

/** The gather from x, or from its rows start..start+len (`rows`): then only outputs indexing those rows are written. */
function gatherProgram(g: GatherGeometry, xRef: BufferRef, rows?: { start: number; len: number }): Program {
  const t = wgslType(g.dtype);
  const u = new Uniforms().add('dims', 'u32', [g.size, g.inner, g.count, g.dim]);
  if (rows) u.add('rows', 'u32', [rows.start, rows.len]);
  const [SIZE, INNER, COUNT, DIM] = [0, 1, 2, 3].map((i) => u.at('dims', i));
  const pick = rows
    ? `let r = k - i32(${u.at('rows', 0)});
    if (r < 0 || r >= i32(${u.at('rows', 1)})) { return; }
    Y[gi] = X[(o * ${u.at('rows', 1)} + u32(r)) * ${INNER} + i];`
    : `Y[gi] = X[(o * ${DIM} + u32(k)) * ${INNER} + i];`;
  const body = `if (gi >= ${SIZE}) { return; }
    let i = gi % ${INNER};
    let j = (gi / ${INNER}) % ${COUNT};
    let o = gi / (${INNER} * ${COUNT});
    var k = Idx[j];
    if (k < 0) { k = k + i32(${DIM}); }
    ${pick}`;
  return {
    key: `gather:${t}${rows ? ':rows' : ''}`,
    source: () => `${storage(0, 'X', t, 'read')}${storage(1, 'Idx', 'i32', 'read')}${storage(2, 'Y', t, 'read_write')}${u.declare(3)}\n${linearMain(body)}`,
    bindings: [xRef, { input: 1 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(g.size),
  };
}
