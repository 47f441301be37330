// Transposed convolution (ONNX ConvTranspose, 1-D as H = 1, 2-D), direct: each output element
// y[n, m, oy, ox] gathers the input pixels whose strided, dilated kernel footprint covers it,
//   y = bias[m] + Σ_{c in m's group, ky, kx} x[n, c, iy, ix] · W[c, m mod M/g, ky, kx]
//   with iy = (oy + pad_top − ky·dh) / sh when that divides exactly and lands inside the input.
// One invocation per output pair (row-major NCHW, so f16 pairs are written whole); weights OIHW
// as ONNX stores them ([C, M/group, KH, KW]), in f32. Input in any storage.
import type { ConvTransposeLayer } from '../layers/conv-transpose.js';
import { declareConstant, declareTensor, loaders } from './access.js';
import { KernelReason, groupGrid, layoutStrides, outputSink, sameOrder, tacticsOrReason, tensorOf } from './convert.js';
import type { LayerCompiler, Tactic } from './tactic.js';
import { stridesOf } from '../../tensor/shape.js';

const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export const compileConvTranspose: LayerCompiler<ConvTransposeLayer> = (l, ctx) =>
  tacticsOrReason((): Tactic[] => {
    const x = tensorOf(ctx, l.input, l.name);
    const y = tensorOf(ctx, l.output, l.name);
    for (const t of [x, y]) if (!sameOrder(t.shape, layoutStrides(t), stridesOf(t.shape))) throw new KernelReason(`convtranspose ${l.name}: ${t.name} is not row-major`);
    const twoD = x.shape.length === 4;
    const [nb, c, h, w] = twoD ? x.shape : [x.shape[0]!, x.shape[1]!, 1, x.shape[2]!];
    const [, m, oh, ow] = twoD ? y.shape : [y.shape[0]!, y.shape[1]!, 1, y.shape[2]!];
    const [wc, mg, kh, kw] = l.weightShape;
    if (wc !== c || mg * l.group !== m) throw new KernelReason(`convtranspose ${l.name}: weights [${l.weightShape}] do not fit input [${x.shape}] and output [${y.shape}] (group ${l.group})`);
    const cg = c / l.group;
    const [sh, sw] = l.strides;
    const [dh, dw] = l.dilations;
    const [pt, pl] = l.pads;
    const sink = outputSink(ctx, y);
    const count = nb! * m! * oh! * ow!;
    const pairs = Math.ceil(count / 2);
    const lanes = 64;
    const grid = groupGrid(Math.ceil(pairs / lanes), ctx.caps);
    const wgsl = `${sink.wgsl}${declareTensor(1, 'x_', x.format.storage)}${loaders('x_', x.format.storage)}${declareConstant(2, 'w_', 'f32')}${declareConstant(3, 'b_', 'f32')}
fn value_(q: u32) -> f32 {
  let ox = i32(q % ${ow}u);
  let oy = i32((q / ${ow}u) % ${oh}u);
  let mm = (q / ${ow! * oh!}u) % ${m}u;
  let n = q / ${ow! * oh! * m!}u;
  let g = mm / ${mg}u;
  let mo = mm % ${mg}u;
  var acc = b_[mm];
  for (var ci = 0u; ci < ${cg}u; ci++) {
    let ch = g * ${cg}u + ci;
    let plane = (n * ${c}u + ch) * ${h! * w!}u;
    for (var ky = 0; ky < ${kh}; ky++) {
      let ty = oy + ${pt} - ky * ${dh};
      if (ty < 0 || ty % ${sh} != 0 || ty / ${sh} >= ${h}) { continue; }
      for (var kx = 0; kx < ${kw}; kx++) {
        let tx = ox + ${pl} - kx * ${dw};
        if (tx < 0 || tx % ${sw} != 0 || tx / ${sw} >= ${w}) { continue; }
        acc += load_x_(plane + u32(ty / ${sh}) * ${w}u + u32(tx / ${sw})) * w_[((ch * ${mg}u + mo) * ${kh}u + u32(ky)) * ${kw}u + u32(kx)];
      }
    }
  }
  return acc;
}
@compute @workgroup_size(${lanes})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let pair = ${grid.group} * ${lanes}u + lid;
  if (pair >= ${pairs}u) { return; }
  let q = pair * 2u;
  write_pair(q, vec2<f32>(value_(q), select(0.0, value_(q + 1u), q + 1u < ${count}u)));
}
`;
    const bias = l.bias ?? new Float32Array(m!);
    return [{
      name: 'convtranspose-direct',
      programs: [{ wgsl, bindings: [sink.binding, { tensor: x.name }, { constant: 0 }, { constant: 1 }], workgroups: grid.workgroups }],
      constants: [bytes(l.weights), bytes(bias)],
      scratch: [],
    }];
  });
