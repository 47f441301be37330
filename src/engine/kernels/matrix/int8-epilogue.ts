// The int8 kernels' epilogue, one WGSL function for every int8 program: `finish(n, acc)` takes the
// int32 sum of column n of group `grp` (over N columns), computed with the input bytes in the signed
// domain (a uint8 byte b counts as b − 128, an int8 byte as itself), to the output: the input zero
// point's share (zx·Σw, from the channel constants `qp`) off, the int32 bias on, then × the
// multiplier and requantized (round half to even, + zero point, saturated; ReLU as the lower bound)
// or dequantized to f32 (ReLU as max), or the int32 sum as is (MatMulInteger / ConvInteger).
// Another activation (GELU, SiLU, HardSwish, ...) applies to the dequantized float, before the
// requantization: the value in output steps is taken back to its float by × y_scale first.
import type { Activation } from '../../network.js';
import { ACTIVATION_HELPERS, applyActivation, f32Literal } from '../access.js';
import { qRange, type QuantParams } from './int8-data.js';

export interface Int8EpilogueSpec {
  x: QuantParams;
  y?: QuantParams;
  relu: boolean;
  /** An activation other than ReLU (which `relu` says), on the dequantized float. */
  act?: Activation;
  /** A float tensor of the output's shape added to the dequantized value before the activation: `finish` takes it as `r`. */
  residual?: boolean;
  intOut?: boolean;
  /** The zero point is read at run time: the program declares `fn zeroA() -> u32` (its byte). */
  zxRuntime?: boolean;
}

/** The input zero point in the signed domain, as a WGSL i32 expression. */
function signedZeroPoint(p: Pick<Int8EpilogueSpec, 'x' | 'zxRuntime'>): string {
  if (p.zxRuntime) return p.x.signed ? '(i32(zeroA() ^ 0x80u) - 128)' : '(i32(zeroA()) - 128)';
  return String(p.x.signed ? p.x.zeroPoint : p.x.zeroPoint - 128);
}

/**
 * WGSL `fn finish(n: u32, acc: i32)`, and `fn finishWith(cq: vec3<u32>, acc: i32)` taking column n's
 * three constants as `chan(n)` loads them (a block of rows loads its columns' once); needs `qp`
 * (three words per channel), `grp` and `N`.
 */
export function int8Finish(p: Int8EpilogueSpec): string {
  const zx = signedZeroPoint(p);
  const act = p.act && p.act.kind !== 'none' ? p.act : undefined;
  const helpers = act ? ACTIVATION_HELPERS : '';
  const r = p.residual ? ', r: f32' : '';
  const rArg = p.residual ? ', r' : '';
  // column n's constants, and finish through them
  const chan = `fn chan(n: u32) -> vec3<u32> {
  let c = (grp * N + n) * 3u;
  return vec3<u32>(qp[c], qp[c + 1u], qp[c + 2u]);
}
`;
  const through = (type: string) => `fn finish(n: u32, acc: i32${r}) -> ${type} { return finishWith(chan(n), acc${rArg}); }`;
  // the int32 sum with the zero point's share off and the bias on, and that sum × the multiplier
  const sum = `acc - ${zx} * bitcast<i32>(cq.x) + bitcast<i32>(cq.y)`;
  const scaled = `f32(${sum}) * bitcast<f32>(cq.z)`;
  if (p.y) {
    const [lo, hi] = qRange(p.y);
    // with an activation: back to the float (× y_scale), the activation, then into output steps again
    const s = f32Literal(p.y.scale);
    const v = act ? `let f = v0 * ${s};\n  let v = ${applyActivation(act, 'f')} / ${s};` : 'let v = v0;';
    return `${helpers}${chan}fn finishWith(cq: vec3<u32>, acc: i32${r}) -> i32 {
  let v0 = ${scaled}${p.residual ? ` + r / ${s}` : ''};
  ${v}
  let q = i32(round(v)) + ${p.y.zeroPoint};
  return clamp(q, ${p.relu ? p.y.zeroPoint : lo}, ${hi});
}
${through('i32')}`;
  }
  if (p.intOut) {
    if (p.residual) throw new Error('int8 epilogue: an int32 output takes no residual');
    return `${chan}fn finishWith(cq: vec3<u32>, acc: i32) -> i32 {
  return ${sum};
}
${through('i32')}`;
  }
  return `${helpers}${chan}fn finishWith(cq: vec3<u32>, acc: i32${r}) -> f32 {
  let v = ${scaled}${p.residual ? ' + r' : ''};
  return ${p.relu ? 'max(v, 0.0)' : act ? applyActivation(act, 'v') : 'v'};
}
${through('f32')}`;
}
