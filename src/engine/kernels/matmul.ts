// Batched products of two computed tensors (attention's Q·Kᵀ and P·V): C[g] = alpha·A[g]·B[g]
// (+ bias + residual, then an activation) over the broadcast batch g. Both operands are read
// through strides, so a transpose feeding either one (the last-two-axes swap, or a permutation of
// batch and head axes) costs nothing: the operand's axes are the source tensor's axes permuted.
// The tile loop is the engine's one matrix-product template (matmul-tile.ts) with the batch as its
// group index; this file only supplies the operand loads and a row-major epilogue.
import type { MatmulLayer, NetTensor } from '../network.js';
import { elementCount, stridesOf } from '../../tensor/shape.js';
import { ACTIVATION_HELPERS, applyActivation, declareConstant, declareTensor, encodeStorage, f32Literal, loaders, storers } from './access.js';
import { KernelReason, layoutStrides, sameOrder, tacticsOrReason, tensorOf } from './convert.js';
import { tileName, tiledMatmul, type PartBuilder } from './matmul-tile.js';
import { matmulChoices } from './matrix/choices.js';
import { biasData } from './matrix/epilogue.js';
import type { EngineBinding, KernelContext, LayerCompiler, Tactic } from './tactic.js';

/** One operand seen as [batch..., rows, cols] through strides into its source tensor. */
export interface OperandView {
  tensor: NetTensor;
  /** The operand's logical shape (the source's axes permuted). */
  shape: number[];
  /** Physical element stride of each operand axis in the source's memory. */
  strides: number[];
}

/** Operand `perm` of `t` (undefined: t itself): output axis i is source axis perm[i]. */
export function operandView(t: NetTensor, perm: readonly number[] | undefined): OperandView {
  const phys = layoutStrides(t);
  const p = perm ?? t.shape.map((_, i) => i);
  return { tensor: t, shape: p.map((a) => t.shape[a]!), strides: p.map((a) => phys[a]!) };
}

/** Batch offsets of an operand for the flat output batch index g: WGSL `fn <fn>(g: u32) -> u32`. */
function batchOffset(fn: string, op: OperandView, batch: readonly number[]): string {
  const own = op.shape.slice(0, -2);
  const ownStrides = op.strides.slice(0, -2);
  const lead = batch.length - own.length;
  const outStrides = stridesOf(batch);
  const terms: string[] = [];
  batch.forEach((d, i) => {
    const j = i - lead;
    if (d === 1 || j < 0 || own[j] === 1) return; // broadcast axis: offset 0
    terms.push(`((g / ${outStrides[i]}u) % ${d}u) * ${ownStrides[j]}u`);
  });
  return `fn ${fn}(g: u32) -> u32 { return ${terms.length ? terms.join(' + ') : '0u'}; }\n`;
}

/** True when every index base + 4j·step of a k-run is even (packed halves read as pairs). */
const evenOffsets = (op: OperandView) => op.strides.slice(0, -1).every((s) => s % 2 === 0);

/** The A part (see MatmulProblem.a) over operand [.., M, K]; quads when K is contiguous. */
export function operandA(op: OperandView, batch: readonly number[]): { part: PartBuilder; quads: boolean } {
  const s = op.tensor.format.storage;
  const [sm, sk] = op.strides.slice(-2) as [number, number];
  const quads = sk === 1 && (s !== 'f16x2' || evenOffsets(op));
  const body = `${batchOffset('batchA', op, batch)}struct ARow { base: u32 }
fn rowA(m: u32) -> ARow { return ARow(batchA(grp) + m * ${sm}u); }
fn loadA(r: ARow, k: u32) -> f32 { return load_a(r.base + k * ${sk}u); }
${quads ? 'fn loadA4(r: ARow, k: u32) -> vec4<f32> { let i = r.base + k; return vec4<f32>(load2_a(i), load2_a(i + 2u)); }\n' : ''}`;
  return {
    part: (first) => ({ wgsl: declareTensor(first, 'a', s) + loaders('a', s) + body, bindings: [{ tensor: op.tensor.name }] }),
    quads,
  };
}

/**
 * The B part of a problem: `loadB4(k, n)`, zero outside K×N (the tile loop reads whole tiles); and,
 * when B's K axis is the contiguous one and N's is not (Kᵀ as attention's Q·Kᵀ reads it) in storage
 * whose pairs need no alignment, `loadB4k(k, n)` with `bKQuads` set: the slices read quads along K.
 */
export function operandB(op: OperandView, batch: readonly number[]): { b: PartBuilder; bKQuads: boolean } {
  const s = op.tensor.format.storage;
  const [sk, sn] = op.strides.slice(-2) as [number, number];
  const bKQuads = sk === 1 && sn !== 1 && s !== 'f16x2';
  const pairs = sn === 1 && (s !== 'f16x2' || evenOffsets(op));
  const fast = pairs
    ? `if (k < K && n + 3u < N) { let i = batchB(grp) + k * ${sk}u + n; return vec4<f32>(load2_b(i), load2_b(i + 2u)); }\n  `
    : '';
  const body = `${batchOffset('batchB', op, batch)}fn loadB(k: u32, n: u32) -> f32 {
  if (k < K && n < N) { return load_b(batchB(grp) + k * ${sk}u + n * ${sn}u); }
  return 0.0;
}
fn loadB4(k: u32, n: u32) -> vec4<f32> {
  ${fast}return vec4<f32>(loadB(k, n), loadB(k, n + 1u), loadB(k, n + 2u), loadB(k, n + 3u));
}
${bKQuads ? `fn loadB4k(k: u32, n: u32) -> vec4<f32> {
  if (k + 3u < K && n < N) { let i = batchB(grp) + k + n * ${sn}u; return vec4<f32>(load2_b(i), load2_b(i + 2u)); }
  return vec4<f32>(loadB(k, n), loadB(k + 1u, n), loadB(k + 2u, n), loadB(k + 3u, n));
}
` : ''}`;
  return { b: (first) => ({ wgsl: declareTensor(first, 'b', s) + loaders('b', s) + body, bindings: [{ tensor: op.tensor.name }] }), bKQuads };
}

/** store2/store1 into the row-major output: row grp·M + m, alpha, bias, residual, activation. */
export function epilogue(layer: Pick<MatmulLayer, 'alpha' | 'bias' | 'act'>, y: NetTensor, residual: NetTensor | undefined, n: number): PartBuilder {
  return (first) => {
    const bindings: EngineBinding[] = [];
    let decls = '';
    if (layer.bias) {
      decls += declareConstant(first + bindings.length, 'bias', 'f32');
      bindings.push({ constant: 0 });
    }
    if (residual) {
      decls += declareTensor(first + bindings.length, 'res', residual.format.storage) + loaders('res', residual.format.storage);
      bindings.push({ tensor: residual.name });
    }
    const ys = y.format.storage;
    decls += declareTensor(first + bindings.length, 'y', ys) + storers('y', ys);
    bindings.push({ tensor: y.name });
    const scale = layer.alpha === 1 ? '' : ` * ${f32Literal(layer.alpha)}`;
    const resPair = !residual ? ''
      : residual.format.storage !== 'f16x2' || n % 2 === 0 ? ' + load2_res(i)' : ' + vec2<f32>(load_res(i), load_res(i + 1u))';
    const wgsl = `${decls}${ACTIVATION_HELPERS}
fn store2(m: u32, n: u32, acc: vec2<f32>) {
  let i = (grp * M + m) * N + n;
  let x = acc${scale}${layer.bias ? ' + vec2<f32>(bias[n], bias[n + 1u])' : ''}${resPair};
  let v = ${applyActivation(layer.act, 'x', true)};
  store2_y(i, v);
}
${ys !== 'f16x2' ? `fn store1(m: u32, n: u32, acc: f32) {
  let i = (grp * M + m) * N + n;
  let x = acc${scale}${layer.bias ? ' + bias[n]' : ''}${residual ? ' + load_res(i)' : ''};
  store_y(i, ${applyActivation(layer.act, 'x')});
}` : ''}
`;
    return { wgsl, bindings };
  };
}

const rowMajor = (t: NetTensor) => sameOrder(t.shape, layoutStrides(t), stridesOf(t.shape));

export const compileMatmul: LayerCompiler<MatmulLayer> = (layer, ctx) => tacticsOrReason(() => matmulTactics(layer, ctx));

/** The tile-loop tactics of a matmul layer (`tiles`: how many tile shapes to offer, default 3). */
export function matmulTactics(layer: MatmulLayer, ctx: KernelContext, tiles = 3): Tactic[] {
  const fail = (why: string): never => { throw new KernelReason(`matmul ${layer.name}: ${why}`); };
  const a = operandView(tensorOf(ctx, layer.a, layer.name), layer.aPerm);
  const b = operandView(tensorOf(ctx, layer.b, layer.name), layer.bPerm);
  const y = tensorOf(ctx, layer.output, layer.name);
  if (a.shape.length < 2 || b.shape.length < 2) fail('operands must have rank ≥ 2');
  const [m, k] = a.shape.slice(-2) as [number, number];
  const [k2, n] = b.shape.slice(-2) as [number, number];
  if (k !== k2) fail(`A [${a.shape}] and B [${b.shape}] disagree on K`);
  const batch = y.shape.slice(0, -2);
  if (y.shape.length < 2 || y.shape[y.shape.length - 2] !== m || y.shape[y.shape.length - 1] !== n) fail(`output [${y.shape}] is not [.., ${m}, ${n}]`);
  for (const op of [a, b]) {
    const own = op.shape.slice(0, -2);
    const lead = batch.length - own.length;
    if (lead < 0 || own.some((d, j) => d !== 1 && d !== batch[j + lead])) fail(`operand [${op.shape}] does not broadcast to batch [${batch}]`);
  }
  // one dispatch cannot bind a tensor twice (writable bindings of one buffer must not alias)
  if (layer.a === layer.b || layer.residual === layer.a || layer.residual === layer.b) fail('an input is bound twice (A = B or residual = an operand)');
  if (!rowMajor(y)) fail(`output ${y.name} is not row-major (layout ${y.format.layout})`);
  if (ctx.placement.has(y.name)) fail('output placed into a concat is not supported');
  if (y.format.storage === 'f16x2' && n % 2 !== 0) fail(`packed-f16 output with an odd row length ${n}`);
  let residual: NetTensor | undefined;
  if (layer.residual) {
    residual = tensorOf(ctx, layer.residual, layer.name);
    const same = residual.shape.length === y.shape.length && residual.shape.every((d, i) => d === y.shape[i]);
    if (!same || !rowMajor(residual)) fail(`residual ${residual.name} is not a row-major [${y.shape}] tensor`);
  }
  if (layer.bias && layer.bias.length !== n) fail(`bias of ${layer.bias.length} values for ${n} columns`);
  const groups = elementCount(batch);
  const A = operandA(a, batch);
  const problem = { m, n, k, groups, a: A.part, aQuads: A.quads, ...operandB(b, batch), epilogue: epilogue(layer, y, residual, n) };
  const constants = layer.bias ? [encodeStorage(biasData(layer.bias, n), 'f32')] : [];
  // fp16 on a device with shader-f16: half tiles (f16 products) besides the f32 ones
  const half = layer.precision !== 'fp32' && [a.tensor, b.tensor, y].some((t) => t.format.storage === 'f16');
  const choices = matmulChoices(m, n, k, groups, ctx.caps, { tiles, splitK: 0, half });
  if (!choices.length) fail('no tile configuration fits the device limits');
  return choices.map(({ tile }) => {
    const { programs, scratch } = tiledMatmul(problem, tile, 1, ctx.caps);
    return { name: `matmul-${tileName(tile)}`, programs, constants, scratch };
  });
}
