import { wgslType } from '../../devices/webgpu/dtype.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { coordsOf, linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { broadcastStrides, elementCount } from '../../tensor/shape.js';
import { laneParam, type LaneParam } from '../_kernels/int-matmul.js';
import { matmulGeometry } from '../matmul/matmul.op.js';
import type { MatMulInteger } from './matmulinteger.op.js';

// (A − a_zero_point)·(B − b_zero_point) in i32, one invocation per output element. Not the f32
// tiled GEMM: its f32 sums stop being exact integers past 2^24, and int32 results must be exact.
// Batch broadcasting as MatMul; zero points per tensor, per row of A / column of B, or per batch.
export const matMulIntegerWgsl: GpuKernel<typeof MatMulInteger.attrs> = ([a, b, aZero, bZero], _attrs, [out]) => {
  const { batch, m, k, n } = matmulGeometry(a!.shape, b!.shape);
  const rank = batch.length;
  const aBatch = a!.shape.length === 1 ? [] : a!.shape.slice(0, -2);
  const bBatch = b!.shape.length === 1 ? [] : b!.shape.slice(0, -2);
  const u = new Uniforms().add('mnk', 'u32', [m, n, k]).add('size', 'u32', elementCount(out!.shape));
  if (rank > 0) {
    u.add('batch', 'u32', batch)
      .add('aStride', 'u32', broadcastStrides(aBatch, batch).map((s) => s * m * k))
      .add('bStride', 'u32', broadcastStrides(bBatch, batch).map((s) => s * k * n));
  }
  const [M, N, K] = [0, 1, 2].map((i) => u.at('mnk', i));
  const zpKind = (zp: typeof aZero, x: typeof a, side: 'a' | 'b'): LaneParam | undefined =>
    zp ? laneParam(zp.shape, x!.shape, side, `${side}_zero_point`) : undefined;
  const [az, bz] = [zpKind(aZero, a, 'a'), zpKind(bZero, b, 'b')];
  // the zero point's index: one value, the lane, or the operand's own matrix and the lane
  const zpIndex = (kind: LaneParam, lane: string, base: string, lanes: string, size: string) =>
    kind === 'tensor' ? '0u' : kind === 'lane' ? lane : `(${base} / ${size}) * ${lanes} + ${lane}`;
  const decls = storage(0, 'A', wgslType(a!.dtype), 'read') + storage(1, 'B', wgslType(b!.dtype), 'read')
    + (az ? storage(2, 'AZ', wgslType(a!.dtype), 'read') : '') + (bz ? storage(3 - (az ? 0 : 1), 'BZ', wgslType(b!.dtype), 'read') : '');
  const nb = 2 + (az ? 1 : 0) + (bz ? 1 : 0);
  const body = `if (gi >= ${u.at('size')}) { return; }
    let j = gi % ${N};
    let i = (gi / ${N}) % ${M};
    let t = gi / (${M} * ${N});
    ${rank > 0 ? coordsOf(u, 'batch', rank, 't', 'c') : ''}
    let aBase = ${rank > 0 ? Array.from({ length: rank }, (_, d) => `c${d} * ${u.at('aStride', d)}`).join(' + ') : '0u'};
    let bBase = ${rank > 0 ? Array.from({ length: rank }, (_, d) => `c${d} * ${u.at('bStride', d)}`).join(' + ') : '0u'};
    let za = ${az ? `i32(AZ[${zpIndex(az, 'i', 'aBase', M, `(${M} * ${K})`)}])` : '0'};
    let zb = ${bz ? `i32(BZ[${zpIndex(bz, 'j', 'bBase', N, `(${K} * ${N})`)}])` : '0'};
    var acc = 0;
    for (var p = 0u; p < ${K}; p = p + 1u) {
      acc = acc + (i32(A[aBase + i * ${K} + p]) - za) * (i32(B[bBase + p * ${N} + j]) - zb);
    }
    Y[gi] = acc;`;
  return {
    programs: [{
      key: `matmulinteger:r${rank}:${a!.dtype}:${b!.dtype}:${az ?? '-'}:${bz ?? '-'}`,
      source: () => `${decls}${storage(nb, 'Y', 'i32', 'read_write')}${u.declare(nb + 1)}${linearMain(body)}`,
      bindings: [{ input: 0 }, { input: 1 }, ...(az ? [{ input: 2 }] : []), ...(bz ? [{ input: 3 }] : []), { output: 0 }],
      uniforms: u, workgroups: linearDispatch(elementCount(out!.shape)),
    }],
  };
};
