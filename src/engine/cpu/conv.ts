// Conv layers on the CPU engine, on the kernels' raw-address API (src/cpu/kernel-api.ts): weights
// packed once into the engine's memory, the epilogue (bias, residual, activation) fused into the
// GEMM's or the depthwise kernel's last pass, work spread over the thread pool when there is one.
// The kernel picks its method from the geometry and the epilogue (api-conv.ts convMethod): a 1×1
// conv with small weights runs the direct 1×1 kernel, other 1×1 stride-1 convs one GEMM on the
// arena, one input channel per group the direct depthwise kernel, anything else im2col + GEMM.
import { conv2d, convMethod, packConvWeights, type ConvShape } from '../../cpu/kernel-api.js';
import type { ConvLayer, Network } from '../network.js';
import { kernelEpilogue } from './epilogue.js';
import type { CpuCompiler } from './tactic.js';

export function convShape(l: ConvLayer, net: Network): ConvShape {
  const xs = net.tensors.get(l.input)!.shape;
  const ys = net.tensors.get(l.output)!.shape;
  const twoD = xs.length === 4;
  const [m, , kh, kw] = l.weightShape;
  return {
    n: xs[0]!, c: xs[1]!, m, group: l.group,
    ih: twoD ? xs[2]! : 1, iw: twoD ? xs[3]! : xs[2]!, kh, kw, sh: l.strides[0], sw: l.strides[1],
    dh: l.dilations[0], dw: l.dilations[1], ph: l.pads[0], pw: l.pads[1], oh: twoD ? ys[2]! : 1, ow: twoD ? ys[3]! : ys[2]!,
  };
}

export const cpuConv: CpuCompiler<ConvLayer> = (l, net, wasm) => {
  if (!wasm) return [];
  const s = convShape(l, net);
  const act = kernelEpilogue(l.act, l.bias ? 1 : undefined, l.residual ? 1 : undefined); // the epilogue's form, for the method's name
  return [{
    name: convMethod(s, act),
    scratchBytes: 0,
    prepare(env) {
      const k = env.mem.kernels;
      const packed = packConvWeights(k, l.weights, s);
      env.mem.hold(packed.block);
      const ep = kernelEpilogue(l.act, l.bias ? env.mem.put(l.bias) : undefined, l.residual ? env.at(l.residual) : undefined);
      const x = env.at(l.input);
      const y = env.at(l.output);
      return () => conv2d(k, s, x, packed, y, ep);
    },
  }];
};
