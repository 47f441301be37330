// The direct sliding-window pooling shader (MaxPool, AveragePool, LpPool) for 1-D and 2-D windows,
// seen as 2-D: one output per invocation, looping over its window (kernels are small).
import type { InferInput, TensorType } from '../op.js';
import { windowOf, windowPads, type WindowAttrValues } from '../_kernels/window.js';
import { narrow } from '../../devices/webgpu/elementwise.js';
import { INFINITY, NAN_MINMAX, NEG_INF } from '../../wgsl/math.js';
import type { Program } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';

export type PoolKind = 'max' | 'avg' | 'avg-include-pad' | 'lp';

/** `p` is LpPool's exponent: (Σ |x|^p)^(1/p) over the window's taps. */
export function poolProgram(kind: PoolKind, x: InferInput, out: TensorType, a: WindowAttrValues & { kernel_shape: number[] }, p = 2): Program | string {
  const spatial = x.shape.length - 2;
  if (spatial > 2) return `${spatial}-D pooling`;
  if (x.dtype !== 'float32' && x.dtype !== 'float16') return `pooling of ${x.dtype}`;
  const window = windowOf(a, a.kernel_shape);
  const image = x.shape.slice(2);
  const pads = windowPads(image, out.shape.slice(2), window);
  const two = (v: readonly number[], fill: number) => (spatial === 1 ? [fill, v[0]!] : [v[0]!, v[1]!]);
  const size = out.shape.reduce((p, d) => p * d, 1);
  const u = new Uniforms()
    .add('size', 'u32', size)
    .add('img', 'i32', [...two(image, 1), ...two(out.shape.slice(2), 1)])
    .add('k', 'u32', two(window.kernel, 1))
    .add('win', 'i32', [...two(window.strides, 1), ...two(window.dilations, 1), ...two(pads.slice(0, spatial), 0), ...two(pads.slice(spatial), 0)]);
  if (kind === 'lp') u.add('lp', 'f32', p);
  const [H, W, OH, OW] = [0, 1, 2, 3].map((i) => u.at('img', i));
  const [SH, SW, DH, DW, PT, PL, PB, PR] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => u.at('win', i));
  const taps: Record<PoolKind, string> = {
    max: 'acc = nmax_(acc, X[base + u32(ih * W + iw)]);',
    avg: 'acc = acc + X[base + u32(ih * W + iw)]; taps = taps + 1.0;',
    'avg-include-pad': 'acc = acc + X[base + u32(ih * W + iw)];',
    lp: `acc = acc + pow(abs(X[base + u32(ih * W + iw)]), ${kind === 'lp' ? u.at('lp') : ''});`,
  };
  const tap = taps[kind];
  const results: Record<PoolKind, string> = {
    max: 'acc', avg: 'select(0.0, acc / taps, taps > 0.0)', 'avg-include-pad': 'acc / padded', lp: `pow(acc, 1.0 / ${kind === 'lp' ? u.at('lp') : ''})`,
  };
  const result = results[kind];
  const body = `if (gi >= ${u.at('size')}) { return; }
    let W = ${W};
    let ow = i32(gi % u32(${OW}));
    let oh = i32((gi / u32(${OW})) % u32(${OH}));
    let plane = gi / u32(${OW} * ${OH});
    let base = plane * u32(${H} * W);
    var acc = ${kind === 'max' ? NEG_INF : '0.0'};
    var taps = 0.0;
    var padded = 0.0;
    for (var kh = 0u; kh < ${u.at('k', 0)}; kh = kh + 1u) {
      let ih = oh * ${SH} - ${PT} + i32(kh) * ${DH};
      for (var kw = 0u; kw < ${u.at('k', 1)}; kw = kw + 1u) {
        let iw = ow * ${SW} - ${PL} + i32(kw) * ${DW};
        if (ih >= -${PT} && ih < ${H} + ${PB} && iw >= -${PL} && iw < W + ${PR}) { padded = padded + 1.0; }
        if (ih >= 0 && ih < ${H} && iw >= 0 && iw < W) { ${tap} }
      }
    }
    Y[gi] = ${narrow(result, out.dtype)};`;
  return {
    key: `pool:${kind}:${out.dtype}`,
    source: () => `${storage(0, 'X', 'f32', 'read')}${storage(1, 'Y', 'f32', 'read_write')}${u.declare(2)}${INFINITY}${NAN_MINMAX}\n${linearMain(body)}`,
    bindings: [{ input: 0 }, { output: 0 }],
    uniforms: u,
    workgroups: linearDispatch(size),
  };
}
