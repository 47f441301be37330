// Element mapping between physical tensor formats, and the Convert layer built on it. The other
// element-wise kernels (pointwise, concat, reshape, pool, softmax) share these pieces: strides of a
// layout, WGSL index remapping between two orders of the same logical elements, output sinks that
// honour in-place concat placement, and dispatch geometry past the per-dimension workgroup limit.
import type { DeviceCaps } from '../../devices/webgpu/caps.js';
import type { ConvertLayer, Layout, NetTensor, Storage } from '../network.js';
import { declareConstant, declareTensor, loaders, storers, wgslValue } from './access.js';
import { isByteStorage } from '../../devices/webgpu/storage.js';
import type { EngineBinding, EngineProgram, KernelContext, LayerCompiler, Tactic } from './tactic.js';
import { elementCount, stridesOf } from '../../tensor/shape.js';

/** Thrown while generating a kernel the layer cannot have; compilers turn it into their reason. */
export class KernelReason extends Error {}

/** Runs a tactic generator, returning the reason string when it threw a KernelReason. */
export function tacticsOrReason(make: () => Tactic[]): Tactic[] | string {
  try {
    return make();
  } catch (e) {
    if (e instanceof KernelReason) return e.message;
    throw e;
  }
}

/** Physical element stride of each logical axis of a tensor of `shape` stored in `layout`. */
export function physicalStrides(shape: readonly number[], layout: Layout): number[] {
  if (layout !== 'nhwc') return stridesOf(shape);
  if (shape.length === 4) {
    const [, c, h, w] = shape as [number, number, number, number];
    return [h * w * c, 1, w * c, c];
  }
  if (shape.length === 3) {
    const [, c, w] = shape as [number, number, number];
    return [w * c, 1, c];
  }
  throw new KernelReason(`layout nhwc needs a rank-3 or rank-4 tensor, not shape [${shape.join(', ')}]`);
}

/** Physical element stride of each logical axis of a network tensor, in its chosen layout. */
export const layoutStrides = (t: NetTensor): number[] => physicalStrides(t.shape, t.format.layout);

/** True when `a` and `b` order the elements of `shape` identically in memory. */
export function sameOrder(shape: readonly number[], a: readonly number[], b: readonly number[]): boolean {
  return shape.every((d, k) => d === 1 || a[k] === b[k]);
}

/**
 * WGSL u32 expression mapping iteration index `q` (elements of `dims` ordered by strides `from`)
 * to `base + Σ coord_k · to_k`. A `to` stride of 0 broadcasts that axis.
 */
export function remapIndex(q: string, dims: readonly number[], from: readonly number[], to: readonly number[], base = 0): string {
  if (base === 0 && dims.every((d, k) => d === 1 || from[k] === to[k])) return `(${q})`;
  const count = elementCount(dims);
  const terms: string[] = [];
  dims.forEach((d, k) => {
    if (d === 1 || to[k] === 0) return;
    let coord = from[k] === 1 ? `(${q})` : `((${q}) / ${from[k]}u)`;
    if (from[k]! * d < count) coord = `(${coord} % ${d}u)`;
    terms.push(to[k] === 1 ? coord : `${coord} * ${to[k]}u`);
  });
  if (base) terms.push(`${base}u`);
  return terms.length ? `(${terms.join(' + ')})` : '0u';
}

/** The iteration axis whose stride is 1 (the innermost one), or -1 for a single element. */
const innerAxis = (dims: readonly number[], from: readonly number[]) => dims.findIndex((d, k) => d > 1 && from[k] === 1);

/**
 * True when every pair q, q+1 (q even) maps to adjacent target elements t, t+1 (with t even when
 * `aligned`, as packed f16 pairs need).
 */
export function pairsContiguous(dims: readonly number[], from: readonly number[], to: readonly number[], base: number, aligned: boolean): boolean {
  const inner = innerAxis(dims, from);
  if (inner < 0 || dims[inner]! % 2 !== 0 || to[inner] !== 1) return false;
  if (!aligned) return true;
  return base % 2 === 0 && dims.every((d, k) => k === inner || d === 1 || to[k]! % 2 === 0);
}

/** True when both elements of every pair map to the same source element (a broadcast inner axis). */
export function pairsShared(dims: readonly number[], from: readonly number[], to: readonly number[]): boolean {
  const inner = innerAxis(dims, from);
  return inner < 0 ? dims.every((d) => d === 1) : dims[inner]! % 2 === 0 && to[inner] === 0;
}

/** An input read by an element program: a binding plus where element q of the iteration lives. */
export interface ElementSource {
  binding: EngineBinding;
  storage: Storage;
  /** WGSL index of the source element for iteration index q. */
  index: (q: string) => string;
  /** How a pair q, q+1 is read: one shared element, one adjacent pair, or two separate loads. */
  pairing: 'shared' | 'pair' | 'two';
}

/** A source whose element for iteration coordinates is at `base + Σ coord_k · to_k`. */
export function mappedSource(binding: EngineBinding, storage: Storage, dims: readonly number[], from: readonly number[], to: readonly number[], base = 0): ElementSource {
  const pairing = pairsShared(dims, from, to) ? 'shared' : pairsContiguous(dims, from, to, base, storage === 'f16x2') ? 'pair' : 'two';
  return { binding, storage, index: (q) => remapIndex(q, dims, from, to, base), pairing };
}

/** WGSL vec2<f32> (vec2<i32> for i32 storage) expression reading the pair q, q+1 of a source declared as `name`. */
export function loadPair(name: string, s: ElementSource, q: string): string {
  const v = `vec2<${wgslValue(s.storage)}>`;
  if (s.pairing === 'shared') return `${v}(load_${name}(${s.index(q)}))`;
  if (s.pairing === 'pair') return `load2_${name}(${s.index(q)})`;
  return `${v}(load_${name}(${s.index(q)}), load_${name}(${s.index(`${q} + 1u`)}))`;
}

/** Declares a source at `binding` as `name` with its loaders. */
export function declareSource(binding: number, name: string, s: ElementSource): string {
  const declare = 'constant' in s.binding ? declareConstant : declareTensor;
  return declare(binding, name, s.storage) + loaders(name, s.storage);
}

/**
 * Where a kernel's output elements go: WGSL `write_pair(q, v)` storing iteration elements q, q+1
 * (q even; q+1 dropped past the end) and, for f32/f16/i32 targets, `write_one(q, v)` (values are
 * vec2<f32>/f32, or vec2<i32>/i32 for an i32 target). The target is the
 * output itself, or the tensor of an in-place concat that owns its memory (ctx.placement).
 */
export interface OutputSink {
  binding: EngineBinding;
  /** Declarations for binding 0: the target buffer and the write functions. */
  wgsl: string;
  storage: Storage;
  /** Elements in the iteration space. */
  count: number;
  /**
   * Byte storage (quantized integers, four to a word): the sink declares `write_quad(q, a, b)`
   * storing elements q..q+3 (q a multiple of 4) instead of the pair writes.
   */
  quads?: boolean;
}

export interface IterationSpace {
  dims: readonly number[];
  /** Iteration order: stride of each logical axis (default: the output's physical order). */
  from: readonly number[];
  /** Offset of the space within the output along each logical axis (default 0). */
  offsets?: readonly number[];
}

export function outputSink(ctx: KernelContext, out: NetTensor, space?: IterationSpace): OutputSink {
  const dims = space?.dims ?? out.shape;
  const from = space?.from ?? layoutStrides(out);
  const offsets = [...(space?.offsets ?? dims.map(() => 0))];
  const placed = ctx.placement.get(out.name);
  let target = out;
  if (placed) {
    const t = ctx.tensors.get(placed.target);
    if (!t) throw new KernelReason(`${out.name} is placed into unknown tensor ${placed.target}`);
    if (t.shape.length !== out.shape.length) throw new KernelReason(`${out.name} cannot be placed into ${t.name} of another rank`);
    target = t;
    offsets[1] = (offsets[1] ?? 0) + placed.channelOffset;
  }
  const to = layoutStrides(target);
  const base = offsets.reduce((a, o, k) => a + o * to[k]!, 0);
  const idx = (q: string) => remapIndex(q, dims, from, to, base);
  const count = elementCount(dims);
  const s = target.format.storage;
  if (isByteStorage(s)) {
    // four elements to a word: the whole tensor in its own order, so element q is at byte q
    if (placed || space) throw new KernelReason(`${out.name}: bytes are written over a whole tensor in its own order`);
    const wgsl = `${declareTensor(0, 'out_', s)}fn byte_(v: f32) -> u32 { return u32(i32(round(v))) & 0xffu; }
fn write_quad(q: u32, a: vec2<f32>, b: vec2<f32>) { out_[q >> 2u] = byte_(a.x) | (byte_(a.y) << 8u) | (byte_(b.x) << 16u) | (byte_(b.y) << 24u); }
`;
    return { binding: { tensor: target.name }, wgsl, storage: s, count, quads: true };
  }
  const v = wgslValue(s);
  let wgsl = declareTensor(0, 'out_', s) + storers('out_', s);
  if (s === 'f16x2') {
    if (!pairsContiguous(dims, from, to, base, true)) {
      throw new KernelReason(`${out.name} cannot be written as packed f16 pairs into ${target.name} (pairs are not adjacent there)`);
    }
    wgsl += `fn write_pair(q: u32, v: vec2<f32>) { store2_out_(${idx('q')}, v); }\n`;
  } else {
    wgsl += `fn write_one(q: u32, v: ${v}) { store_out_(${idx('q')}, v); }\n`;
    wgsl += pairsContiguous(dims, from, to, base, false)
      ? `fn write_pair(q: u32, v: vec2<${v}>) { store2_out_(${idx('q')}, v); }\n`
      : `fn write_pair(q: u32, v: vec2<${v}>) { write_one(q, v.x); if (q + 1u < ${count}u) { write_one(q + 1u, v.y); } }\n`;
  }
  return { binding: { tensor: target.name }, wgsl, storage: s, count };
}

/** Workgroups for `groups` workgroups in a 2-D grid, and the WGSL flat group index (needs `wid`). */
export function groupGrid(groups: number, caps: DeviceCaps): { workgroups: [number, number, number]; group: string } {
  const max = caps.maxWorkgroupsPerDimension;
  const total = Math.max(1, groups);
  if (total <= max) return { workgroups: [total, 1, 1], group: 'wid.x' };
  const ny = Math.ceil(total / max);
  if (ny > max) throw new KernelReason(`${total} workgroups exceed the device's grid`);
  const nx = Math.ceil(total / ny);
  return { workgroups: [nx, ny, 1], group: `(wid.y * ${nx}u + wid.x)` };
}

export interface ElementProgramSpec {
  sink: OutputSink;
  sources: ElementSource[];
  /** Statements computing the vec2 result from the source pairs `vals` (s0, s1, ...), and helpers they call. */
  compute: (vals: string[]) => { lines: string[]; result: string; helpers?: string };
  pairsPerInvocation: number;
  workgroup: number;
  caps: DeviceCaps;
}

/** A program where each invocation produces `pairsPerInvocation` pairs of the sink (workgroup-interleaved). */
export function elementProgram(spec: ElementProgramSpec): EngineProgram {
  const { sink, sources, workgroup: wg, pairsPerInvocation: per } = spec;
  const decls = sources.map((s, i) => declareSource(i + 1, `in${i}`, s)).join('');
  const loads = sources.map((s, i) => `  let s${i} = ${loadPair(`in${i}`, s, 'q')};\n`).join('');
  const { lines, result, helpers } = spec.compute(sources.map((_, i) => `s${i}`));
  // a byte sink takes whole words: each step computes two pairs (the tail's extra elements land in the word's spare bytes)
  const step = sink.quads ? 4 : 2;
  const pairs = Math.ceil(sink.count / step);
  const grid = groupGrid(Math.ceil(pairs / (per * wg)), spec.caps);
  const wgsl = `${sink.wgsl}${decls}${helpers ?? ''}
fn value_(q: u32) -> vec2<${wgslValue(sink.storage)}> {
${loads}${lines.map((l) => `  ${l}\n`).join('')}  return ${result};
}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  // a workgroup covers wg·per consecutive pairs; lanes interleave so each step reads contiguously
  let first = ${grid.group} * ${wg * per}u + lid;
  for (var k = 0u; k < ${per}u; k++) {
    let pair = first + k * ${wg}u;
    if (pair >= ${pairs}u) { return; }
    ${sink.quads ? 'write_quad(pair * 4u, value_(pair * 4u), value_(pair * 4u + 2u));' : 'write_pair(pair * 2u, value_(pair * 2u));'}
  }
}
`;
  return { wgsl, bindings: [sink.binding, ...sources.map((s) => s.binding)], workgroups: grid.workgroups };
}

/** The usual element-wise tactic grid: 1 or 2 pairs per invocation × workgroups of 64 or 256. */
export function elementTactics(prefix: string, make: (pairsPerInvocation: number, workgroup: number) => Omit<Tactic, 'name'>): Tactic[] {
  const out: Tactic[] = [];
  for (const per of [1, 2]) for (const wg of [64, 256]) out.push({ name: `${prefix}-p${per}-wg${wg}`, ...make(per, wg) });
  return out;
}

/** Tensor `name` from the context, or a KernelReason naming the layer. */
export function tensorOf(ctx: KernelContext, name: string, layer: string): NetTensor {
  const t = ctx.tensors.get(name);
  if (!t) throw new KernelReason(`layer ${layer}: unknown tensor ${name}`);
  return t;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, k) => d === b[k]);

/** Convert: the same logical elements in another layout and/or storage, one pass over the output. */
export const compileConvert: LayerCompiler<ConvertLayer> = (layer, ctx) =>
  tacticsOrReason(() => {
    const input = tensorOf(ctx, layer.input, layer.name);
    const out = tensorOf(ctx, layer.output, layer.name);
    if (!sameShape(input.shape, out.shape)) {
      throw new KernelReason(`convert ${layer.name}: shapes [${input.shape.join(', ')}] and [${out.shape.join(', ')}] differ`);
    }
    return elementTactics('convert', (per, wg) => {
      const sink = outputSink(ctx, out);
      const src = mappedSource({ tensor: input.name }, input.format.storage, out.shape, layoutStrides(out), layoutStrides(input));
      const program = elementProgram({ sink, sources: [src], compute: (v) => ({ lines: [], result: v[0]! }), pairsPerInvocation: per, workgroup: wg, caps: ctx.caps });
      return { programs: [program], constants: [], scratch: [] };
    });
  });
