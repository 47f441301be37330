import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { elementCount } from '../../tensor/shape.js';
import type { MatMulNBits } from './ms-matmulnbits.op.js';

// Y = A · Wᵀ (+ bias) with W dequantized on the fly, one invocation per output element: each
// invocation walks its column's K blocks, unpacking `bits`-wide values from B's bytes (one byte per
// u32 on the device) and applying the block's scale and zero point. The f32 accumulation matches
// the reference (which dequantizes to float, then multiplies in float).
export const matMulNBitsWgsl: GpuKernel<typeof MatMulNBits.attrs> = ([x, , , zp, , bias], a, [out]) => {
  const blocks = Math.ceil(a.K / a.block_size);
  const blob = (a.block_size * a.bits) / 8;
  const rows = elementCount(x!.shape) / a.K;
  const zpKind = !zp ? 'none' : zp.dtype === 'uint8' ? 'packed' : 'float';
  const u = new Uniforms()
    .add('dims', 'u32', [rows, a.N, a.K, blocks])
    .add('geom', 'u32', [blob, Math.ceil((blocks * a.bits) / 8), a.block_size]);
  const [R, N, K, BLOCKS] = [0, 1, 2, 3].map((i) => u.at('dims', i));
  const [BLOB, ZP_ROW, BLOCK] = [0, 1, 2].map((i) => u.at('geom', i));
  const bits = a.bits;
  const bindings = [{ input: 0 }, { input: 1 }, { input: 2 }, ...(zp ? [{ input: 3 }] : []), ...(bias ? [{ input: 5 }] : []), { output: 0 }];
  const decls = storage(0, 'A', 'f32', 'read') + storage(1, 'Q', 'u32', 'read') + storage(2, 'S', 'f32', 'read')
    + (zp ? storage(3, 'Z', zpKind === 'packed' ? 'u32' : 'f32', 'read') : '')
    + (bias ? storage(bindings.length - 2, 'BIAS', 'f32', 'read') : '')
    + storage(bindings.length - 1, 'Y', 'f32', 'read_write');
  const zero = zpKind === 'packed' ? `f32(unpack_(1u, n * ${ZP_ROW}, kb))` : zpKind === 'float' ? `Z[n * ${BLOCKS} + kb]` : `${2 ** (bits - 1)}.0`;
  // The `bits`-wide value at bit position i·bits from byte `base`, low bits first; a value may
  // straddle two bytes (bits 3, 5, 6, 7). `which` picks the packed weights (0) or zero points (1).
  const unpack = `
fn unpack_(which: u32, base: u32, i: u32) -> u32 {
  let bit = i * ${bits}u;
  let at = base + (bit >> 3u);
  let shift = bit & 7u;
  var lo = ${zpKind === 'packed' ? 'select(Q[at], Z[at], which == 1u)' : 'Q[at]'};
  if (shift + ${bits}u > 8u) {
    lo = lo | (${zpKind === 'packed' ? 'select(Q[at + 1u], Z[at + 1u], which == 1u)' : 'Q[at + 1u]'} << 8u);
  }
  return (lo >> shift) & ${(1 << bits) - 1}u;
}
`;
  const body = `if (gi >= ${R} * ${N}) { return; }
    let n = gi % ${N};
    let r = gi / ${N};
    var acc = 0.0;
    for (var kb = 0u; kb < ${BLOCKS}; kb = kb + 1u) {
      let scale = S[n * ${BLOCKS} + kb];
      let zero = ${zero};
      let base = (n * ${BLOCKS} + kb) * ${BLOB};
      let k0 = kb * ${BLOCK};
      let kEnd = min(k0 + ${BLOCK}, ${K});
      for (var k = k0; k < kEnd; k = k + 1u) {
        acc = acc + A[r * ${K} + k] * ((f32(unpack_(0u, base, k - k0)) - zero) * scale);
      }
    }
    Y[gi] = ${narrow(bias ? 'acc + BIAS[n]' : 'acc', out!.dtype)};`;
  return {
    programs: [{
      key: `matmulnbits:${bits}:${zpKind}:${bias ? 'b' : '-'}:${out!.dtype}`,
      source: () => `${decls}${u.declare(bindings.length)}${unpack}${linearMain(body)}`,
      bindings, uniforms: u, workgroups: linearDispatch(elementCount(out!.shape)),
    }],
  };
};
