// Layer / RMS normalization over rows of a row-major tensor: one workgroup per row, statistics in
// f32 whatever the storage (two passes over the row: the mean, then the mean squared deviation,
// which avoids the cancellation of E[x²] − E[x]²). The fused skip tensor is added on every read;
// a layer with a `sum` output also writes input + skip there (in its own storage, pairs for f16x2).
// Scale and bias are f32 constants, one per row element. A folded quantize (NormLayer.quantize,
// fuse-norm-quantize) makes it write y's integers, four bytes a word into an i8x4/u8x4 output.
import type { NetTensor, NormLayer } from '../network.js';
import { declareConstant, declareTensor, encodeStorage, f32Literal, loaders, storers } from './access.js';
import { KernelReason, groupGrid, layoutStrides, outputSink, sameOrder, tacticsOrReason, tensorOf } from './convert.js';
import { ROW_WORKGROUPS, workgroupReducer } from './row-reduce.js';
import type { KernelContext, LayerCompiler, Tactic } from './tactic.js';
import { elementCount, stridesOf } from '../../tensor/shape.js';

/** WGSL writing x_(i) of the row into the sum tensor bound at `binding` (declarations, loop). */
function sumWriter(sum: NetTensor, binding: number, length: number, wg: number): { decl: string; write: string } {
  const s = sum.format.storage;
  const decl = declareTensor(binding, 'sum_', s) + storers('sum_', s);
  if (s !== 'f16x2') return { decl, write: `for (var i = base + lid; i < base + ${length}u; i += ${wg}u) { store_sum_(i, x_(i)); }` };
  if (length % 2 !== 0) throw new KernelReason(`norm: rows of odd length ${length} cannot be written as f16 pairs into ${sum.name}`);
  return { decl, write: `for (var j = lid; j < ${length / 2}u; j += ${wg}u) { let i = base + 2u * j; store2_sum_(i, vec2<f32>(x_(i), x_(i + 1u))); }` };
}

function tactic(layer: NormLayer, ctx: KernelContext, tensors: NetTensor[], out: NetTensor, sum: NetTensor | undefined, wg: number): Tactic {
  const length = elementCount(out.shape.slice(layer.axis));
  const rows = elementCount(out.shape) / length;
  const sink = outputSink(ctx, out);
  if (sink.storage === 'f16x2' && length % 2 !== 0) throw new KernelReason(`norm ${layer.name}: rows of odd length ${length} cannot be written as f16 pairs`);
  const grid = groupGrid(rows, ctx.caps);
  const decls = tensors.map((t, k) => declareTensor(k + 1, `in${k}`, t.format.storage) + loaders(`in${k}`, t.format.storage)).join('');
  const sumAt = tensors.length + 1;
  const sumPart = sum ? sumWriter(sum, sumAt, length, wg) : undefined;
  const cs = sumAt + (sum ? 1 : 0);
  const x = tensors.length === 2 ? '(load_in0(i) + load_in1(i))' : 'load_in0(i)';
  const shift = layer.bias ? ' + bias_[i - base]' : '';
  const center = layer.rms ? 'x_(i)' : '(x_(i) - mean)';
  const y = `fn y_(i: u32, base: u32, mean: f32, inv: f32) -> f32 { return ${center} * inv * scale_[i - base]${shift}; }`;
  // a folded quantize (fuse-norm-quantize): y as the integers Clip(Round(y / scale) + zero point), bytes four to a word
  const q = layer.quantize;
  if (sink.quads && (!q || length % 4 !== 0)) throw new KernelReason(`norm ${layer.name}: bytes are written for quantized rows of a multiple of 4 only`);
  const [lo, hi] = q?.signed ? [-128, 127] : [0, 255];
  const quantize = q ? `fn q_(v: f32) -> f32 { return min(max(round(v / ${f32Literal(q.scale)}) + ${f32Literal(q.zeroPoint)}, ${lo}.0), ${hi}.0); }\n` : '';
  const yv = (i: string) => (q ? `q_(y_(${i}, base, mean, inv))` : `y_(${i}, base, mean, inv)`);
  const write = sink.quads
    ? `for (var j = lid; j < ${length / 4}u; j += ${wg}u) {
    let i = base + 4u * j;
    write_quad(i, vec2<f32>(${yv('i')}, ${yv('i + 1u')}), vec2<f32>(${yv('i + 2u')}, ${yv('i + 3u')}));
  }`
    : sink.storage === 'f16x2'
    ? `for (var j = lid; j < ${length / 2}u; j += ${wg}u) {
    let i = base + 2u * j;
    write_pair(i, vec2<f32>(${yv('i')}, ${yv('i + 1u')}));
  }`
    : `for (var i = base + lid; i < base + ${length}u; i += ${wg}u) { write_one(i, ${yv('i')}); }`;
  const wgsl = `${sink.wgsl}${decls}${sumPart?.decl ?? ''}${declareConstant(cs, 'scale_', 'f32')}${layer.bias ? declareConstant(cs + 1, 'bias_', 'f32') : ''}
${workgroupReducer(wg, { sum: (a, b) => `${a} + ${b}` })}
fn x_(i: u32) -> f32 { return ${x}; }
${y}
${quantize}@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = ${grid.group};
  if (row >= ${rows}u) { return; }
  let base = row * ${length}u;
  var mean = 0.0;
  ${layer.rms ? '' : `var s = 0.0;
  for (var i = base + lid; i < base + ${length}u; i += ${wg}u) { s += x_(i); }
  mean = wg_sum_(lid, s) / ${length}.0;`}
  var d = 0.0;
  for (var i = base + lid; i < base + ${length}u; i += ${wg}u) { let c = ${center}; d += c * c; }
  let inv = inverseSqrt(wg_sum_(lid, d) / ${length}.0 + ${f32Literal(layer.epsilon)});
  ${write}
  ${sumPart?.write ?? ''}
}
`;
  const constants = [encodeStorage(layer.scale, 'f32'), ...(layer.bias ? [encodeStorage(layer.bias, 'f32')] : [])];
  const bindings = [sink.binding, ...tensors.map((t) => ({ tensor: t.name })), ...(sum ? [{ tensor: sum.name }] : []), ...constants.map((_, k) => ({ constant: k }))];
  return { name: `norm-wg${wg}`, programs: [{ wgsl, bindings, workgroups: grid.workgroups }], constants, scratch: [] };
}

export const compileNorm: LayerCompiler<NormLayer> = (layer, ctx) =>
  tacticsOrReason(() => {
    const out = tensorOf(ctx, layer.output, layer.name);
    const tensors = [layer.input, ...(layer.skip ? [layer.skip] : [])].map((n) => tensorOf(ctx, n, layer.name));
    if (layer.sum && !layer.skip) throw new KernelReason(`norm ${layer.name}: a sum output without a skip input`);
    const sum = layer.sum ? tensorOf(ctx, layer.sum, layer.name) : undefined;
    if (sum && ctx.placement.has(sum.name)) throw new KernelReason(`norm ${layer.name}: the sum ${sum.name} cannot be written in place into a concat`);
    for (const t of [...tensors, out, ...(sum ? [sum] : [])]) {
      if (t.shape.length !== out.shape.length || t.shape.some((d, k) => d !== out.shape[k])) throw new KernelReason(`norm ${layer.name}: ${t.name} is not of the output's shape`);
      if (!sameOrder(t.shape, layoutStrides(t), stridesOf(t.shape))) throw new KernelReason(`norm ${layer.name}: ${t.name} is not row-major (layout ${t.format.layout})`);
    }
    if (layer.scale.length !== elementCount(out.shape.slice(layer.axis))) throw new KernelReason(`norm ${layer.name}: ${layer.scale.length} scale values for rows of ${elementCount(out.shape.slice(layer.axis))}`);
    return ROW_WORKGROUPS.map((wg) => tactic(layer, ctx, tensors, out, sum, wg));
  });
