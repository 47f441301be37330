import { ShapeError, UnsupportedError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { MS_DOMAIN } from '../ms-domain.js';
import { defineOp } from '../op.js';

// MatMulNBits: Y = A · Wᵀ (+ bias), W [N, K] dequantized block-wise along K:
//   W[n, k] = (q[n, k] − zero_point[n, k / block_size]) · scale[n, k / block_size].
// B [N, k_blocks, blob_size] (uint8) packs q, `bits` per value, low bits first within each byte;
// scales [N, k_blocks] (or flat); zero_points either packed uint8 [N, ceil(k_blocks·bits/8)] the
// same way, or unpacked in A's float type [N, k_blocks]; default 2^(bits−1).
// accuracy_level only permits lower-precision arithmetic, so the reference computes in float.
// Not supported: g_idx (deprecated), weight_prepacked.
export const MatMulNBits = defineOp({
  type: 'MatMulNBits',
  domain: MS_DOMAIN,
  attrs: {
    K: attr.int(),
    N: attr.int(),
    bits: attr.int(4),
    block_size: attr.int(),
    accuracy_level: attr.int(0),
    weight_prepacked: attr.int(0),
  },
  inputs: [3, 6],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: ([x, b, scales, zp, gIdx, bias], a) => {
    if (gIdx || a.weight_prepacked) throw new UnsupportedError('g_idx and weight_prepacked are not supported');
    if (![2, 3, 4, 5, 6, 7, 8].includes(a.bits)) throw new UnsupportedError(`bits = ${a.bits} is not supported (2 to 8)`);
    if (a.block_size < 16 || (a.block_size & (a.block_size - 1)) !== 0) throw new ShapeError(`block_size ${a.block_size} must be a power of two ≥ 16`);
    if (x!.shape.at(-1) !== a.K) throw new ShapeError(`A's last dim must be K = ${a.K}, got [${x!.shape.join(',')}]`);
    const blocks = Math.ceil(a.K / a.block_size);
    const blob = (a.block_size * a.bits) / 8;
    if (b!.dtype !== 'uint8' || b!.shape.reduce((p, q) => p * q, 1) !== a.N * blocks * blob) {
      throw new ShapeError(`B must be uint8 [${a.N}, ${blocks}, ${blob}], got ${b!.dtype}[${b!.shape.join(',')}]`);
    }
    if (scales!.shape.reduce((p, q) => p * q, 1) !== a.N * blocks) throw new ShapeError(`scales must hold N·k_blocks = ${a.N * blocks} values, got [${scales!.shape.join(',')}]`);
    if (zp) {
      const want = zp.dtype === 'uint8' ? a.N * Math.ceil((blocks * a.bits) / 8) : a.N * blocks;
      if (zp.shape.reduce((p, q) => p * q, 1) !== want) throw new ShapeError(`zero_points must hold ${want} ${zp.dtype} values, got [${zp.shape.join(',')}]`);
    }
    if (bias && (bias.shape.length !== 1 || bias.shape[0] !== a.N)) throw new ShapeError(`bias must be [${a.N}], got [${bias.shape.join(',')}]`);
    return [{ dtype: x!.dtype, shape: [...x!.shape.slice(0, -1), a.N] }];
  },
});
