// Helpers that write WGSL: uniform layouts, storage declarations, index arithmetic, dispatch sizes.
// Shapes and strides travel in uniforms, so a shader depends only on ranks and dtypes (its key).
import type { WgslScalar } from './dtype.js';

const LANE = ['x', 'y', 'z', 'w'];

/**
 * A uniform block of named fields; each field is an array of 32-bit scalars packed into vec4s
 * (uniform arrays need a 16-byte stride). The WGSL declaration depends only on field names, types
 * and lengths; the values are packed once when a plan is built.
 */
export class Uniforms {
  private readonly fields: { name: string; type: WgslScalar; values: number[] }[] = [];

  add(name: string, type: WgslScalar, values: number | readonly number[]): this {
    const list = typeof values === 'number' ? [values] : [...values];
    this.fields.push({ name, type, values: list.length ? list : [0] });
    return this;
  }

  /** Element `i` of field `name` as a WGSL expression (a constant index: no dynamic indexing). */
  at(name: string, i = 0): string {
    return `u.${name}[${i >> 2}].${LANE[i & 3]}`;
  }

  declare(binding: number): string {
    const members = this.fields.map((f) => `  ${f.name}: array<vec4<${f.type}>, ${Math.ceil(f.values.length / 4)}>,`);
    return `struct Uniforms {\n${members.join('\n')}\n};\n@group(0) @binding(${binding}) var<uniform> u: Uniforms;\n`;
  }

  pack(): ArrayBuffer {
    const words = this.fields.reduce((n, f) => n + Math.ceil(f.values.length / 4) * 4, 0);
    const buf = new ArrayBuffer(words * 4);
    const f32 = new Float32Array(buf);
    const i32 = new Int32Array(buf);
    const u32 = new Uint32Array(buf);
    let o = 0;
    for (const f of this.fields) {
      const view = f.type === 'f32' ? f32 : f.type === 'i32' ? i32 : u32;
      f.values.forEach((v, k) => { view[o + k] = v; });
      o += Math.ceil(f.values.length / 4) * 4;
    }
    return buf;
  }
}

/** A storage buffer declaration: `array<T>`, read-only for inputs, read_write for outputs. */
export function storage(binding: number, name: string, type: WgslScalar | string, access: 'read' | 'read_write'): string {
  return `@group(0) @binding(${binding}) var<storage, ${access}> ${name}: array<${type}>;\n`;
}

/**
 * WGSL statements splitting the linear index `index` into coordinates `${prefix}0..` of a
 * row-major shape held in uniform field `shapeField` (rank ≥ 1).
 */
export function coordsOf(u: Uniforms, shapeField: string, rank: number, index: string, prefix: string): string {
  const lines = [`var ${prefix}_rem = ${index};`];
  for (let d = rank - 1; d >= 0; d--) {
    const dim = u.at(shapeField, d);
    if (d === 0) lines.push(`let ${prefix}${d} = ${prefix}_rem;`);
    else lines.push(`let ${prefix}${d} = ${prefix}_rem % ${dim}; ${prefix}_rem = ${prefix}_rem / ${dim};`);
  }
  return lines.join('\n    ');
}

/** The WGSL expression Σ coord_d · strides[d] for coordinates `${prefix}0..`. */
export function offsetOf(u: Uniforms, stridesField: string, rank: number, prefix: string): string {
  if (rank === 0) return '0u';
  return Array.from({ length: rank }, (_, d) => `${prefix}${d} * ${u.at(stridesField, d)}`).join(' + ');
}

export const WORKGROUP_SIZE = 64;

/** Workgroup counts covering `n` invocations of size `wg`, folded into y when x would exceed the limit. */
export function linearDispatch(n: number, wg = WORKGROUP_SIZE, maxPerDim = 65535): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / wg));
  if (groups <= maxPerDim) return [groups, 1, 1];
  const y = Math.ceil(groups / maxPerDim);
  return [Math.ceil(groups / y), y, 1];
}

/** The entry point of a linear kernel: `gi` is the global invocation index (see linearDispatch). */
export function linearMain(body: string, wg = WORKGROUP_SIZE): string {
  return `@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lidx: u32) {
    let gi = (wid.y * nwg.x + wid.x) * ${wg}u + lidx;
    ${body}
}
`;
}

