// Pooling layers on the CPU engine: max and average pooling and global pools on the WebAssembly
// kernels (split over planes on the thread pool), with the JavaScript loops over the arena where
// there is no WebAssembly SIMD (and as candidates plans made before the kernels may name).
import { averagePool2d, globalPool, maxPool2d, type PoolShape } from '../../cpu/kernel-api.js';
import type { PoolLayer } from '../network.js';
import type { CpuCompiler, CpuTactic } from './tactic.js';

function shapes(l: PoolLayer, net: Parameters<CpuCompiler>[1]) {
  const xs = net.tensors.get(l.input)!.shape;
  const ys = net.tensors.get(l.output)!.shape;
  const twoD = xs.length === 4;
  return {
    planes: xs[0]! * xs[1]!, ih: twoD ? xs[2]! : 1, iw: twoD ? xs[3]! : xs[2]!, oh: twoD ? ys[2]! : 1, ow: twoD ? ys[3]! : ys[2]!,
  };
}

function maxTactic(l: PoolLayer, net: Parameters<CpuCompiler>[1]): CpuTactic {
  const shape = poolShape(l, net);
  return {
    name: 'max-wasm',
    scratchBytes: 0,
    prepare(env) {
      const k = env.mem.kernels;
      const X = env.at(l.input);
      const Y = env.at(l.output);
      return () => maxPool2d(k, shape, X, Y);
    },
  };
}

function poolShape(l: PoolLayer, net: Parameters<CpuCompiler>[1]): PoolShape {
  const { planes, ih, iw, oh, ow } = shapes(l, net);
  const [kh, kw] = l.kernel;
  const [sh, sw] = l.strides;
  const [dh, dw] = l.dilations;
  const [ph, pw, phEnd, pwEnd] = l.pads;
  return { planes, ih, iw, kh, kw, sh, sw, dh, dw, ph, pw, phEnd, pwEnd, oh, ow };
}

function avgWasmTactic(l: PoolLayer, net: Parameters<CpuCompiler>[1]): CpuTactic {
  const shape = poolShape(l, net);
  return {
    name: 'avg-wasm',
    scratchBytes: 0,
    prepare(env) {
      const k = env.mem.kernels;
      const X = env.at(l.input);
      const Y = env.at(l.output);
      return () => averagePool2d(k, shape, X, Y, l.countIncludePad);
    },
  };
}

function globalWasmTactic(l: PoolLayer, net: Parameters<CpuCompiler>[1]): CpuTactic {
  const { planes, ih, iw } = shapes(l, net);
  return {
    name: `global-${l.op}-wasm`,
    scratchBytes: 0,
    prepare(env) {
      const k = env.mem.kernels;
      const X = env.at(l.input);
      const Y = env.at(l.output);
      return () => globalPool(k, l.op, X, Y, planes, ih * iw);
    },
  };
}

function globalAvgTactic(l: PoolLayer, net: Parameters<CpuCompiler>[1]): CpuTactic {
  const { planes, ih, iw } = shapes(l, net);
  return {
    name: 'global-avg',
    scratchBytes: 0,
    prepare(env) {
      const X = env.at(l.input) / 4;
      const Y = env.at(l.output) / 4;
      const size = ih * iw;
      return () => {
        const f = env.mem.f32();
        for (let p = 0; p < planes; p++) {
          let s = 0;
          for (let i = X + p * size, end = i + size; i < end; i++) s += f[i]!;
          f[Y + p] = s / size;
        }
      };
    },
  };
}

function avgTactic(l: PoolLayer, net: Parameters<CpuCompiler>[1]): CpuTactic {
  const { planes, ih, iw, oh, ow } = shapes(l, net);
  const [kh, kw] = l.kernel;
  const [sh, sw] = l.strides;
  const [dh, dw] = l.dilations;
  const [ph, pw, pb, pr] = l.pads;
  return {
    name: 'avg',
    scratchBytes: 0,
    prepare(env) {
      const X = env.at(l.input) / 4;
      const Y = env.at(l.output) / 4;
      return () => {
        const f = env.mem.f32();
        for (let p = 0; p < planes; p++) {
          const x = X + p * ih * iw;
          for (let oy = 0; oy < oh; oy++) {
            for (let ox = 0; ox < ow; ox++) {
              let s = 0;
              let n = 0;
              let padded = 0;
              for (let ky = 0; ky < kh; ky++) {
                const iy = oy * sh - ph + ky * dh;
                for (let kx = 0; kx < kw; kx++) {
                  const ix = ox * sw - pw + kx * dw;
                  if (iy >= 0 && iy < ih && ix >= 0 && ix < iw) {
                    s += f[x + iy * iw + ix]!;
                    n++;
                  } else if (iy >= -ph && iy < ih + pb && ix >= -pw && ix < iw + pr) {
                    padded++; // inside the padding (count_include_pad counts it), not past it
                  }
                }
              }
              f[Y + (p * oh + oy) * ow + ox] = s / (l.countIncludePad ? n + padded : n);
            }
          }
        }
      };
    },
  };
}

export const cpuPool: CpuCompiler<PoolLayer> = (l, net, wasm) => {
  const { ih, iw } = shapes(l, net);
  const global = l.kernel[0] === ih && l.kernel[1] === iw && l.pads.every((p) => p === 0) && l.strides.every((s) => s === 1);
  if (!wasm) return l.op === 'avg' ? [global ? globalAvgTactic(l, net) : avgTactic(l, net)] : [];
  if (global) return l.op === 'avg' ? [globalWasmTactic(l, net), globalAvgTactic(l, net)] : [globalWasmTactic(l, net), maxTactic(l, net)];
  return l.op === 'avg' ? [avgWasmTactic(l, net), avgTactic(l, net)] : [maxTactic(l, net)];
};
