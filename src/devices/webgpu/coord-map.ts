// The coordinate-map shader behind Pad and Tile: every output element reads one input element
// whose coordinate along each axis is a WGSL expression of the output coordinate `o` (an i32) and
// per-axis uniforms; an expression may set `fill = true` to write the fill value instead.
import type { DType } from '../../tensor/dtype.js';
import { wgslType } from './dtype.js';
import type { BufferRef, Program } from './program.js';
import { coordsOf, linearDispatch, linearMain, storage, Uniforms } from './shader.js';

export interface CoordMapSpec {
  name: string;
  dtype: DType;
  inShape: readonly number[];
  outShape: readonly number[];
  /** Per-axis i32 uniforms the expression reads as `p_<name>` (one value per axis). */
  params: Record<string, readonly number[]>;
  /** WGSL statements turning `o` (the output coordinate) into `i` (the input coordinate). */
  axisCode: string;
  /** Input index of a one-element fill value, bound when given (Pad's constant_value). */
  fillInput?: number;
}

export function coordMapProgram(spec: CoordMapSpec): Program {
  const rank = Math.max(1, spec.outShape.length);
  const pad1 = (v: readonly number[]) => (v.length ? v : [0]);
  const outShape = spec.outShape.length ? spec.outShape : [1];
  const size = spec.outShape.reduce((p, d) => p * d, 1);
  const inStrides = spec.inShape.map((_, k) => spec.inShape.slice(k + 1).reduce((p, d) => p * d, 1));
  const u = new Uniforms().add('size', 'u32', size).add('shape', 'u32', outShape).add('inShape', 'i32', pad1(spec.inShape)).add('inStrides', 'i32', pad1(inStrides));
  const params = Object.entries(spec.params);
  for (const [k, v] of params) u.add(`p_${k}`, 'i32', pad1(v));
  const t = wgslType(spec.dtype);
  const bindings: BufferRef[] = [{ input: 0 }];
  let decl = storage(0, 'In', t, 'read');
  if (spec.fillInput !== undefined) { decl += storage(1, 'F', t, 'read'); bindings.push({ input: spec.fillInput }); }
  decl += storage(bindings.length, 'Out', t, 'read_write');
  bindings.push({ output: 0 });
  const axes = Array.from({ length: spec.outShape.length }, (_, d) => {
    const lets = [`let len = ${u.at('inShape', d)};`, ...params.map(([k]) => `let p_${k} = ${u.at(`p_${k}`, d)};`)].join(' ');
    return `{ let o = i32(c${d}); var i = o; ${lets}\n      ${spec.axisCode}\n      src = src + i * ${u.at('inStrides', d)}; }`;
  });
  const body = [
    `if (gi >= ${u.at('size')}) { return; }`,
    coordsOf(u, 'shape', rank, 'gi', 'c'),
    'var src = 0; var fill = false;',
    ...axes,
    `if (fill) { Out[gi] = ${spec.fillInput !== undefined ? 'F[0]' : `${t}(0)`}; } else { Out[gi] = In[u32(src)]; }`,
  ].join('\n    ');
  return {
    key: `coordmap:${spec.name}:${t}:r${rank}:${spec.fillInput !== undefined}`,
    source: () => `${decl}${u.declare(bindings.length)}\n${linearMain(body)}`,
    bindings, uniforms: u, workgroups: linearDispatch(size),
  };
}

