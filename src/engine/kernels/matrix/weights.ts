// Constant B operands: weights re-laid out at compile time as [groups][K][N] matrices padded
// with zeros to whole tiles (so the tile loop reads them unchecked), stored f32 or as (native
// or packed) halves, and read four columns at a time.
import type { ConvLayer, Layer, NetTensor, Storage } from '../../network.js';
import type { PartBuilder } from '../matmul-tile.js';

/**
 * The storage of a layer's weights, unless the layer is forced to fp32: packed halves when its
 * output is packed halves; native halves when its output or input is native f16 (the layer runs
 * in fp16 on a device with shader-f16; a last layer writing the f32 network output included).
 */
export function weightStorage(layer: Layer, out: NetTensor, input?: NetTensor): Storage {
  if (layer.precision === 'fp32') return 'f32';
  if (out.format.storage === 'f16x2') return 'f16x2';
  return out.format.storage === 'f16' || input?.format.storage === 'f16' ? 'f16' : 'f32';
}

/** Writes B[g][k][n] into a zero [groups][kPad][nPad] matrix, in the order that reads its source fastest. */
export type MatrixFill = (out: Float32Array, kPad: number, nPad: number) => void;

/** A zero-padded [groups][kPad][nPad] matrix with B[g][k][n] inside K×N, as `fill` writes it. */
export function packMatrix(groups: number, kPad: number, nPad: number, fill: MatrixFill): Float32Array {
  const out = new Float32Array(groups * kPad * nPad);
  fill(out, kPad, nPad);
  return out;
}

/** A dense [k][n] matrix (a Gemm's weights), row by row. */
export function denseRowsFill(w: Float32Array, k: number, n: number): MatrixFill {
  return (out, _kPad, nPad) => {
    for (let kk = 0; kk < k; kk++) out.set(w.subarray(kk * n, (kk + 1) * n), kk * nPad);
  };
}

/**
 * Convolution weights OIHW as a GEMM B: k = (kh·KW + kw)·Cg + ci (channels fastest), n = output
 * channel in its group. Read in OIHW order, no division per element (a ViT-B or ResNet-50 has tens
 * of millions of weights).
 */
export function convWeightFill(layer: ConvLayer): MatrixFill {
  const [o, cg, kh, kw] = layer.weightShape;
  const ng = o / layer.group;
  const w = layer.weights;
  return (out, kPad, nPad) => {
    let src = 0;
    for (let g = 0; g < layer.group; g++) {
      for (let nn = 0; nn < ng; nn++) {
        for (let ci = 0; ci < cg; ci++) {
          for (let tap = 0; tap < kh * kw; tap++) out[(g * kPad + tap * cg + ci) * nPad + nn] = w[src++]!;
        }
      }
    }
  };
}

/**
 * `fn loadB4(k: u32, n: u32) -> vec4<f32>` over constant `constant`, a [groups][kPad][nPad]
 * matrix (nPad a multiple of 4) in `storage`; the group is the private `grp`.
 */
export function weightOperand(constant: number, storage: Storage, kPad: number, nPad: number, groups: number): PartBuilder {
  if (nPad % 4 !== 0) throw new Error(`weight rows of ${nPad} are not whole quads`);
  const base = groups > 1 ? `(grp * ${kPad}u + k) * ${nPad / 4}u + n / 4u` : `k * ${nPad / 4}u + n / 4u`;
  return (first) => ({
    wgsl: storage !== 'f16x2'
      ? `@group(0) @binding(${first}) var<storage, read> wb: array<vec4<${storage}>>;
fn loadB4(k: u32, n: u32) -> vec4<f32> { return ${storage === 'f32' ? `wb[${base}]` : `vec4<f32>(wb[${base}])`}; }
`
      : `@group(0) @binding(${first}) var<storage, read> wb: array<vec2<u32>>;
fn loadB4(k: u32, n: u32) -> vec4<f32> { let p = wb[${base}]; return vec4<f32>(unpack2x16float(p.x), unpack2x16float(p.y)); }
`,
    bindings: [{ constant }],
  });
}
