// Layer / RMS normalization over rows of a row-major tensor: one workgroup per row, statistics in
// f32 whatever the storage (two passes over the row: the mean, then the mean squared deviation,
// which avoids the cancellation of E[x²] − E[x]²); where the device has subgroups of one size, also
// one subgroup per row with the row held in registers. The fused skip tensor is added on every read;
// a layer with a `sum` output also writes input + skip there (in its own storage, pairs for f16x2).
// Scale and bias are f32 constants, one per row element. A folded quantize (NormLayer.quantize,
// fuse-norm-quantize) makes it write y's integers, four bytes a word into an i8x4/u8x4 output.
import type { NetTensor, NormLayer } from '../network.js';
import { declareConstant, declareTensor, encodeStorage, f32Literal, loaders, storers } from './access.js';
import { KernelReason, groupGrid, layoutStrides, outputSink, sameOrder, tacticsOrReason, tensorOf } from './convert.js';
import { ROW_WORKGROUPS, workgroupReducer } from './row-reduce.js';
import type { KernelContext, LayerCompiler, Tactic } from './tactic.js';
import { elementCount, stridesOf } from '../../tensor/shape.js';

/** What every norm tactic shares: bindings, x_ (input plus skip), y_ (the normalized value), q_ (a folded quantize). */
interface NormParts {
  length: number;
  rows: number;
  sink: ReturnType<typeof outputSink>;
  decls: string;
  bindings: Tactic['programs'][number]['bindings'];
  constants: Uint8Array[];
}

function normParts(layer: NormLayer, ctx: KernelContext, tensors: NetTensor[], out: NetTensor, sum: NetTensor | undefined): NormParts {
  const length = elementCount(out.shape.slice(layer.axis));
  const rows = elementCount(out.shape) / length;
  const sink = outputSink(ctx, out);
  if (sink.storage === 'f16x2' && length % 2 !== 0) throw new KernelReason(`norm ${layer.name}: rows of odd length ${length} cannot be written as f16 pairs`);
  const q = layer.quantize;
  if (sink.quads && (!q || length % 4 !== 0)) throw new KernelReason(`norm ${layer.name}: bytes are written for quantized rows of a multiple of 4 only`);
  if (sum?.format.storage === 'f16x2' && length % 2 !== 0) throw new KernelReason(`norm: rows of odd length ${length} cannot be written as f16 pairs into ${sum.name}`);
  const decls = tensors.map((t, k) => declareTensor(k + 1, `in${k}`, t.format.storage) + loaders(`in${k}`, t.format.storage)).join('');
  const sumAt = tensors.length + 1;
  const sumDecl = sum ? declareTensor(sumAt, 'sum_', sum.format.storage) + storers('sum_', sum.format.storage) : '';
  const cs = sumAt + (sum ? 1 : 0);
  const x = tensors.length === 2 ? '(load_in0(i) + load_in1(i))' : 'load_in0(i)';
  const shift = layer.bias ? ' + bias_[k]' : '';
  const center = layer.rms ? 'x' : '(x - mean)';
  // a folded quantize (fuse-norm-quantize): y as the integers Clip(Round(y / scale) + zero point), bytes four to a word
  const [lo, hi] = q?.signed ? [-128, 127] : [0, 255];
  const quantize = q ? `fn q_(v: f32) -> f32 { return min(max(round(v / ${f32Literal(q.scale)}) + ${f32Literal(q.zeroPoint)}, ${lo}.0), ${hi}.0); }\n` : '';
  const constants = [encodeStorage(layer.scale, 'f32'), ...(layer.bias ? [encodeStorage(layer.bias, 'f32')] : [])];
  return {
    length, rows, sink, constants,
    decls: `${sink.wgsl}${decls}${sumDecl}${declareConstant(cs, 'scale_', 'f32')}${layer.bias ? declareConstant(cs + 1, 'bias_', 'f32') : ''}
fn x_(i: u32) -> f32 { return ${x}; }
fn y_(x: f32, k: u32, mean: f32, inv: f32) -> f32 { let v = ${center} * inv * scale_[k]${shift}; return ${q ? 'q_(v)' : 'v'}; }
${quantize}`,
    bindings: [sink.binding, ...tensors.map((t) => ({ tensor: t.name })), ...(sum ? [{ tensor: sum.name }] : []), ...constants.map((_, k) => ({ constant: k }))],
  };
}

/** Elements a write handles together: four bytes to a word, f16 pairs, or one. */
function unitOf(p: NormParts, sum: NetTensor | undefined): number {
  return p.sink.quads ? 4 : p.sink.storage === 'f16x2' || sum?.format.storage === 'f16x2' ? 2 : 1;
}

/** WGSL writing unit `u` (elements i.., values v0..) of y and of the sum. */
function unitWrites(p: NormParts, sum: NetTensor | undefined, unit: number, v: (k: number) => string, i: string, k: string): string {
  const y = (e: number) => `y_(${v(e)}, ${k} + ${e}u, mean, inv)`;
  const w = p.sink.quads
    ? `write_quad(${i}, vec2<f32>(${y(0)}, ${y(1)}), vec2<f32>(${y(2)}, ${y(3)}));`
    : unit === 1 ? `write_one(${i}, ${y(0)});`
    : Array.from({ length: unit / 2 }, (_, h) => `write_pair(${i} + ${2 * h}u, vec2<f32>(${y(2 * h)}, ${y(2 * h + 1)}));`).join(' ');
  if (!sum) return w;
  const s = sum.format.storage === 'f16x2'
    ? Array.from({ length: unit / 2 }, (_, h) => `store2_sum_(${i} + ${2 * h}u, vec2<f32>(${v(2 * h)}, ${v(2 * h + 1)}));`).join(' ')
    : Array.from({ length: unit }, (_, e) => `store_sum_(${i} + ${e}u, ${v(e)});`).join(' ');
  return `${w} ${s}`;
}

/** One workgroup of `wg` per row: a strided walk of the row per pass, statistics through workgroup memory. */
function workgroupTactic(layer: NormLayer, ctx: KernelContext, p: NormParts, sum: NetTensor | undefined, wg: number): Tactic {
  const { length, rows } = p;
  const grid = groupGrid(rows, ctx.caps);
  const unit = unitOf(p, sum);
  const center = layer.rms ? 'x_(i)' : '(x_(i) - mean)';
  const wgsl = `${p.decls}
${workgroupReducer(wg, { sum: (a, b) => `${a} + ${b}` })}
@compute @workgroup_size(${wg})
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
  for (var j = lid; j < ${length / unit}u; j += ${wg}u) {
    let i = base + ${unit}u * j;
    let k = ${unit}u * j;
    ${unitWrites(p, sum, unit, (e) => `x_(i + ${e}u)`, 'i', 'k')}
  }
}
`;
  return { name: `norm-wg${wg}`, programs: [{ wgsl, bindings: p.bindings, workgroups: grid.workgroups }], constants: p.constants, scratch: [] };
}

/** Values a lane of the subgroup tactic holds in registers at most (the row's share of each lane). */
const SUBGROUP_REGISTERS = 64;

/**
 * One subgroup per row (the workgroup is one subgroup of the device's fixed size): each lane reads
 * its units of the row once into registers, both statistics are subgroupAdd over the lanes (no
 * workgroup memory, no barriers), and the writes come from the registers. For rows of up to
 * 64 values a lane (2,048 on 32-lane subgroups): transformers' 384–1,024-wide rows spent most of
 * the one-workgroup-per-row tactic's time in its barriers.
 */
function subgroupTactic(layer: NormLayer, ctx: KernelContext, p: NormParts, sum: NetTensor | undefined): Tactic | undefined {
  const lanes = ctx.caps.subgroupSize;
  const { length, rows } = p;
  const unit = unitOf(p, sum);
  if (!lanes || length % unit !== 0) return undefined;
  const perLane = Math.ceil(length / unit / lanes);
  if (perLane * unit > SUBGROUP_REGISTERS) return undefined;
  const grid = groupGrid(rows, ctx.caps);
  // unrolled: each lane's values stay in registers (a loop over a private array may not)
  const each = (body: (u: number, guard: (b: string) => string) => string) => Array.from({ length: perLane }, (_, u) => {
    const last = u === perLane - 1 && (length / unit) % lanes !== 0;
    return body(u, (b) => (last ? `if (lane + ${u * lanes}u < ${length / unit}u) { ${b} }` : b));
  }).join('\n  ');
  const held = (u: number) => (e: number) => `v${u * unit + e}`;
  const wgsl = `enable subgroups;
${p.decls}
@compute @workgroup_size(${lanes})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let row = ${grid.group};
  if (row >= ${rows}u) { return; }
  let base = row * ${length}u + ${unit}u * lane;
  ${Array.from({ length: perLane * unit }, (_, e) => `var v${e} = 0.0;`).join(' ')}
  ${each((u, g) => g(Array.from({ length: unit }, (_, e) => `${held(u)(e)} = x_(base + ${u * lanes * unit + e}u);`).join(' ')))}
  ${layer.rms ? 'let mean = 0.0;' : `let mean = subgroupAdd(${Array.from({ length: perLane * unit }, (_, e) => `v${e}`).join(' + ')}) / ${length}.0;`}
  var d = 0.0;
  ${each((u, g) => g(Array.from({ length: unit }, (_, e) => `{ let c = ${layer.rms ? held(u)(e) : `${held(u)(e)} - mean`}; d += c * c; }`).join(' ')))}
  let inv = inverseSqrt(subgroupAdd(d) / ${length}.0 + ${f32Literal(layer.epsilon)});
  ${each((u, g) => g(`{ let k = ${unit}u * lane + ${u * lanes * unit}u; let i = base + ${u * lanes * unit}u; ${unitWrites(p, sum, unit, held(u), 'i', 'k')} }`))}
}
`;
  return { name: `norm-sg${lanes}`, programs: [{ wgsl, bindings: p.bindings, workgroups: grid.workgroups }], constants: p.constants, scratch: [] };
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
    const parts = normParts(layer, ctx, tensors, out, sum);
    const sg = subgroupTactic(layer, ctx, parts, sum);
    return [...ROW_WORKGROUPS.map((wg) => workgroupTactic(layer, ctx, parts, sum, wg)), ...(sg ? [sg] : [])];
  });
