import { narrow } from '../../devices/webgpu/elementwise.js';
import { gemmProgram } from '../../devices/webgpu/gemm.js';
import type { BufferRef, GpuKernel, Program } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import type { TensorType } from '../../tensor/tensor-type.js';
import { elementCount } from '../../tensor/shape.js';
import type { MatMulNBits } from './ms-matmulnbits.op.js';

// Y = A · Wᵀ (+ bias) with W dequantized on the fly from B's `bits`-wide values (one byte per u32
// on the device), the block's scale and zero point: f32 accumulation, as the reference (which
// dequantizes to float, then multiplies in float). A few rows (token-by-token decoding) run one
// invocation per output element; more rows run the framework's tiled GEMM with the dequantizing
// load as its B, so each dequantized weight is shared by a tile of rows.

/** Rows from which the tiled GEMM replaces the per-element kernel (its smallest tile is 16 rows). */
const TILED_ROWS = 16;

interface Layout { rows: number; blocks: number; zpKind: 'none' | 'packed' | 'float'; bias: boolean; bits: number }

export const matMulNBitsWgsl: GpuKernel<typeof MatMulNBits.attrs> = ([x, , , zp, , bias], a, [out]) => {
  const blocks = Math.ceil(a.K / a.block_size);
  const l: Layout = {
    rows: elementCount(x!.shape) / a.K, blocks, bias: !!bias, bits: a.bits,
    zpKind: !zp ? 'none' : zp.dtype === 'uint8' ? 'packed' : 'float',
  };
  const u = new Uniforms()
    .add('dims', 'u32', [l.rows, a.N, a.K, blocks])
    .add('geom', 'u32', [(a.block_size * a.bits) / 8, Math.ceil((blocks * a.bits) / 8), a.block_size]);
  const bindings: BufferRef[] = [{ input: 0 }, { input: 1 }, { input: 2 }, ...(zp ? [{ input: 3 }] : []), ...(bias ? [{ input: 5 }] : []), { output: 0 }];
  const decls = storage(0, 'A', 'f32', 'read') + storage(1, 'Q', 'u32', 'read') + storage(2, 'S', 'f32', 'read')
    + (zp ? storage(3, 'Z', l.zpKind === 'packed' ? 'u32' : 'f32', 'read') : '')
    + (bias ? storage(bindings.length - 2, 'BIAS', 'f32', 'read') : '')
    + storage(bindings.length - 1, 'Y', 'f32', 'read_write');
  return { programs: [(l.rows >= TILED_ROWS ? tiled : perElement)(l, u, decls, bindings, out!)] };
};

/** WGSL `fn weight(n, k) -> f32`: W[n, k] dequantized (and its unpacking helper). */
function dequantize(l: Layout, u: Uniforms): string {
  const [, , , BLOCKS] = [0, 1, 2, 3].map((i) => u.at('dims', i));
  const [BLOB, ZP_ROW, BLOCK] = [0, 1, 2].map((i) => u.at('geom', i));
  const zero = l.zpKind === 'packed' ? `f32(unpack_(1u, n * ${ZP_ROW}, kb))` : l.zpKind === 'float' ? `Z[n * ${BLOCKS} + kb]` : `${2 ** (l.bits - 1)}.0`;
  const byte = (at: string) => (l.zpKind === 'packed' ? `select(Q[${at}], Z[${at}], which == 1u)` : `Q[${at}]`);
  // The value at bit position i·bits from byte `base`, low bits first; it may straddle two bytes
  // (bits 3, 5, 6, 7). `which` picks the packed weights (0) or the packed zero points (1).
  return `
fn unpack_(which: u32, base: u32, i: u32) -> u32 {
  let bit = i * ${l.bits}u;
  let at = base + (bit >> 3u);
  let shift = bit & 7u;
  var lo = ${byte('at')};
  if (shift + ${l.bits}u > 8u) { lo = lo | (${byte('at + 1u')} << 8u); }
  return (lo >> shift) & ${(1 << l.bits) - 1}u;
}
fn weight(n: u32, k: u32) -> f32 {
  let kb = k / ${BLOCK};
  let q = unpack_(0u, (n * ${BLOCKS} + kb) * ${BLOB}, k - kb * ${BLOCK});
  return (f32(q) - ${zero}) * S[n * ${BLOCKS} + kb];
}
`;
}

const layoutKey = (l: Layout, out: TensorType) => `${l.bits}:${l.zpKind}:${l.bias ? 'b' : '-'}:${out.dtype}`;

function perElement(l: Layout, u: Uniforms, decls: string, bindings: BufferRef[], out: TensorType): Program {
  const [R, N, K] = [0, 1, 2].map((i) => u.at('dims', i));
  const body = `if (gi >= ${R} * ${N}) { return; }
    let n = gi % ${N};
    let r = gi / ${N};
    var acc = 0.0;
    for (var k = 0u; k < ${K}; k = k + 1u) { acc = acc + A[r * ${K} + k] * weight(n, k); }
    Y[gi] = ${narrow(l.bias ? 'acc + BIAS[n]' : 'acc', out.dtype)};`;
  return {
    key: `matmulnbits:${layoutKey(l, out)}`,
    source: () => `${decls}${u.declare(bindings.length)}${dequantize(l, u)}${linearMain(body)}`,
    bindings, uniforms: u, workgroups: linearDispatch(elementCount(out.shape)),
  };
}

function tiled(l: Layout, u: Uniforms, decls: string, bindings: BufferRef[], out: TensorType): Program {
  const [M, N, K] = [0, 1, 2].map((i) => u.at('dims', i));
  return gemmProgram({
    key: `matmulnbits:${layoutKey(l, out)}`, decls, bindings, uniforms: u, globals: dequantize(l, u),
    M, N, K, batches: 1, m: l.rows, n: elementCount(out.shape) / l.rows,
    loadA: `return A[m * ${K} + k];`,
    loadB: 'return weight(n, k);',
    store: `Y[m * ${N} + n] = ${narrow(l.bias ? 'v + BIAS[n]' : 'v', out.dtype)};`,
  });
}
