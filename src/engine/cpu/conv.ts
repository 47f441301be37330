// Conv layers on the CPU engine, with their fused epilogue (bias, residual, activation). Three
// executors, timed against each other where more than one applies:
//   gemm-1x1     a 1×1, stride-1, unpadded conv is W · X per image: one GEMM straight on the arena;
//   im2col-gemm  any 2-D conv: im2col into scratch, then W_g · col(X_g) per image and group;
//   depthwise    one input channel per group: the direct depthwise kernel, bias fused.
// The output is first set to bias (+ residual) and the GEMM accumulates into it; the activation
// runs over each image's output right after. Weights are copied into the engine's memory once.
import type { ConvLayer } from '../network.js';
import { applyActivation, prefill } from './epilogue.js';
import type { CpuCompiler, CpuEnv, CpuTactic } from './tactic.js';

interface Geometry {
  n: number; c: number; m: number; ih: number; iw: number; oh: number; ow: number;
  kh: number; kw: number; sh: number; sw: number; dh: number; dw: number; ph: number; pw: number;
  cg: number; mg: number; K: number; P: number;
}

function geometry(l: ConvLayer, env: { net: CpuEnv['net'] }): Geometry {
  const xs = env.net.tensors.get(l.input)!.shape;
  const ys = env.net.tensors.get(l.output)!.shape;
  const twoD = xs.length === 4;
  const [m, cg, kh, kw] = l.weightShape;
  const ih = twoD ? xs[2]! : 1;
  const iw = twoD ? xs[3]! : xs[2]!;
  const oh = twoD ? ys[2]! : 1;
  const ow = twoD ? ys[3]! : ys[2]!;
  return {
    n: xs[0]!, c: xs[1]!, m, ih, iw, oh, ow, kh, kw, sh: l.strides[0], sw: l.strides[1], dh: l.dilations[0], dw: l.dilations[1],
    ph: l.pads[0], pw: l.pads[1], cg, mg: m / l.group, K: cg * kh * kw, P: oh * ow,
  };
}

function gemmTactic(l: ConvLayer, g: Geometry, direct: boolean): CpuTactic {
  return {
    name: direct ? 'gemm-1x1' : 'im2col-gemm',
    // the im2col buffer (the GEMM's packing scratch is the memory's shared one)
    scratchBytes: direct ? 0 : g.K * g.P * 4,
    prepare(env) {
      const { k } = env.mem;
      const W = env.mem.put(l.weights);
      const X = env.at(l.input);
      const Y = env.at(l.output);
      const R = l.residual ? env.at(l.residual) : undefined;
      const col = env.scratch;
      const gemmScratch = env.mem.gemmScratch();
      const { n, c, m, ih, iw, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, cg, mg, K, P } = g;
      const group = l.group;
      return () => {
        const f = env.mem.f32();
        for (let i = 0; i < n; i++) {
          const y = Y + i * m * P * 4;
          prefill(f, y / 4, m, P, l.bias, true, R === undefined ? undefined : (R + i * m * P * 4) / 4);
          for (let gi = 0; gi < group; gi++) {
            const x = X + (i * c + gi * cg) * ih * iw * 4;
            if (!direct) k.im2col2d(x, cg, ih, iw, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, col);
            k.gemm(mg, P, K, W + gi * mg * K * 4, K, 1, direct ? x : col, P, 1, y + gi * mg * P * 4, P, 1, 1, gemmScratch);
          }
          applyActivation(env.mem.f32(), y / 4, y / 4 + m * P, l.act);
        }
      };
    },
  };
}

function depthwiseTactic(l: ConvLayer, g: Geometry): CpuTactic {
  return {
    name: 'depthwise',
    scratchBytes: 0,
    prepare(env) {
      const { k } = env.mem;
      const scratchFloats = k.depthwiseScratchFloats(g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw);
      const scratch = env.mem.alloc(scratchFloats * 4);
      const W = env.mem.put(l.weights);
      const B = l.bias ? env.mem.put(l.bias) : 0;
      const X = env.at(l.input);
      const Y = env.at(l.output);
      const R = l.residual ? env.at(l.residual) : undefined;
      const { n, c, m, ih, iw, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, mg, P } = g;
      return () => {
        k.depthwise2d(X, W, B, l.bias ? 1 : 0, Y, n, c, mg, ih, iw, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, scratch);
        const f = env.mem.f32();
        const count = n * m * P;
        if (R !== undefined) for (let i = 0; i < count; i++) f[Y / 4 + i]! += f[R / 4 + i]!;
        applyActivation(f, Y / 4, Y / 4 + count, l.act);
      };
    },
  };
}

export const cpuConv: CpuCompiler<ConvLayer> = (l, net, wasm) => {
  if (!wasm) return [];
  const g = geometry(l, { net });
  const direct = g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.ph === 0 && g.pw === 0 && l.pads[2] === 0 && l.pads[3] === 0 && g.oh === g.ih && g.ow === g.iw;
  const tactics: CpuTactic[] = [];
  if (g.cg === 1 && l.group > 1) tactics.push(depthwiseTactic(l, g));
  tactics.push(gemmTactic(l, g, direct));
  return tactics;
};
