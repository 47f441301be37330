// The integer matrix product of MatMulInteger and QLinearMatMul: (A − a_zero_point)·(B −
// b_zero_point) in i32, one invocation per output element. Not the f32 tiled GEMM: its f32 sums stop
// being exact integers past 2^24, and int32 results must be exact. Batch broadcasting as MatMul;
// zero points per tensor, per row of A / column of B, or per batch and lane.
import { wgslType } from '../../devices/webgpu/dtype.js';
import type { BufferRef, Program } from '../../devices/webgpu/program.js';
import { coordsOf, linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import type { InferInput, TensorType } from '../../tensor/tensor-type.js';
import { broadcastStrides, elementCount } from '../../tensor/shape.js';
import { laneParam, type LaneParam } from '../_kernels/int-matmul.js';
import { matmulGeometry } from '../matmul/matmul.op.js';

/** A node input the product reads, with its position among the node's inputs. */
export interface IntOperand { at: number; type: InferInput }

export interface IntMatMulSpec {
  /** Names the epilogue for the pipeline key (with anything else its WGSL depends on). */
  name: string;
  a: IntOperand;
  b: IntOperand;
  aZero?: IntOperand;
  bZero?: IntOperand;
  /** Further read-only inputs the epilogue uses, declared as the given WGSL names and types. */
  extra?: { at: number; name: string; type: string }[];
  /**
   * WGSL storing `acc` (i32) into `Y[gi]`; `i` is the row, `j` the column, `aBase`/`bBase` the
   * operands' matrix offsets (see laneIndex), all in scope.
   */
  epilogue: (u: Uniforms) => string;
  /** The WGSL element type of Y. */
  outType: string;
}

/** How a matmul parameter (zero point or scale) is laid out: per tensor, per lane, or per batch and lane. */
export function laneKind(p: IntOperand, x: IntOperand, side: 'a' | 'b', what: string): LaneParam {
  return laneParam(p.type.shape, x.type.shape, side, what);
}

/** The WGSL index of a parameter of kind `kind` for row i (side a) or column j (side b); needs `aBase`/`bBase`. */
export function laneIndex(kind: LaneParam, side: 'a' | 'b', u: Uniforms): string {
  const [M, N, K] = [0, 1, 2].map((i) => u.at('mnk', i));
  if (kind === 'tensor') return '0u';
  if (side === 'a') return kind === 'lane' ? 'i' : `(aBase / (${M} * ${K})) * ${M} + i`;
  return kind === 'lane' ? 'j' : `(bBase / (${K} * ${N})) * ${N} + j`;
}

export function intMatMulProgram(spec: IntMatMulSpec, out: TensorType): Program {
  const { a, b, aZero, bZero } = spec;
  const { batch, m, k, n } = matmulGeometry(a.type.shape, b.type.shape);
  const rank = batch.length;
  const aBatch = a.type.shape.length === 1 ? [] : a.type.shape.slice(0, -2);
  const bBatch = b.type.shape.length === 1 ? [] : b.type.shape.slice(0, -2);
  const u = new Uniforms().add('mnk', 'u32', [m, n, k]).add('size', 'u32', elementCount(out.shape));
  if (rank > 0) {
    u.add('batch', 'u32', batch)
      .add('aStride', 'u32', broadcastStrides(aBatch, batch).map((s) => s * m * k))
      .add('bStride', 'u32', broadcastStrides(bBatch, batch).map((s) => s * k * n));
  }
  const [M, N, K] = [0, 1, 2].map((i) => u.at('mnk', i));
  const az = aZero && laneKind(aZero, a, 'a', 'a_zero_point');
  const bz = bZero && laneKind(bZero, b, 'b', 'b_zero_point');
  const reads: { at: number; name: string; type: string }[] = [
    { at: a.at, name: 'A', type: wgslType(a.type.dtype) }, { at: b.at, name: 'B', type: wgslType(b.type.dtype) },
    ...(aZero ? [{ at: aZero.at, name: 'AZ', type: wgslType(aZero.type.dtype) }] : []),
    ...(bZero ? [{ at: bZero.at, name: 'BZ', type: wgslType(bZero.type.dtype) }] : []),
    ...(spec.extra ?? []),
  ];
  const decls = reads.map((r, i) => storage(i, r.name, r.type, 'read')).join('') + storage(reads.length, 'Y', spec.outType, 'read_write');
  const stridesSum = (field: string) => (rank > 0 ? Array.from({ length: rank }, (_, d) => `c${d} * ${u.at(field, d)}`).join(' + ') : '0u');
  const body = `if (gi >= ${u.at('size')}) { return; }
    let j = gi % ${N};
    let i = (gi / ${N}) % ${M};
    let t = gi / (${M} * ${N});
    ${rank > 0 ? coordsOf(u, 'batch', rank, 't', 'c') : ''}
    let aBase = ${stridesSum('aStride')};
    let bBase = ${stridesSum('bStride')};
    let za = ${az ? `i32(AZ[${laneIndex(az, 'a', u)}])` : '0'};
    let zb = ${bz ? `i32(BZ[${laneIndex(bz, 'b', u)}])` : '0'};
    var acc = 0;
    for (var p = 0u; p < ${K}; p = p + 1u) {
      acc = acc + (i32(A[aBase + i * ${K} + p]) - za) * (i32(B[bBase + p * ${N} + j]) - zb);
    }
    ${spec.epilogue(u)}`;
  return {
    key: `intmatmul:${spec.name}:r${rank}:${a.type.dtype}:${b.type.dtype}:${az ?? '-'}:${bz ?? '-'}`,
    source: () => `${decls}${u.declare(reads.length + 1)}${linearMain(body)}`,
    bindings: [...reads.map((r): BufferRef => ({ input: r.at })), { output: 0 }],
    uniforms: u, workgroups: linearDispatch(elementCount(out.shape)),
  };
}
