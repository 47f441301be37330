// lavapipe has no subgroup matrices, so the int8 tensor-core programs cannot run in CI as written.
// This rewrites their WGSL so that they can: each subgroup-matrix value becomes a private array
// every invocation holds in full (all 32 lanes of a subgroup compute the same matrix), loads read
// the i8 matrices byte by byte from the workgroup array `Ws` with offsets and strides counted in
// words (the reading NVIDIA's driver has, found by bench/gpu-models/int8-mma-probe.mjs on an H100),
// and the product is three loops. The extension itself is not tested this way (the GPU check does
// that); everything around it is: staging, quads, register prefetch, block layout, row passes,
// split K, epilogues and stores.
import type { EngineProgram, Tactic } from '../../src/engine/kernels/tactic.js';

const HELPERS = `struct SMLeft { v: array<i32, 512> }
struct SMRight { v: array<i32, 512> }
struct SMResult { v: array<i32, 256> }
fn smByte(b: u32) -> i32 { return (Ws[b >> 2u] << (24u - 8u * (b & 3u))) >> 24u; }
fn smLeft(off: u32, stride: u32) -> SMLeft {
  var r: SMLeft;
  for (var m = 0u; m < 16u; m = m + 1u) { for (var k = 0u; k < 32u; k = k + 1u) { r.v[m * 32u + k] = smByte(off * 4u + m * stride * 4u + k); } }
  return r;
}
fn smRight(off: u32, stride: u32) -> SMRight {
  var r: SMRight;
  for (var n = 0u; n < 16u; n = n + 1u) { for (var k = 0u; k < 32u; k = k + 1u) { r.v[k * 16u + n] = smByte(off * 4u + n * stride * 4u + k); } }
  return r;
}
fn smMma(a: SMLeft, b: SMRight, c: SMResult) -> SMResult {
  var r = c;
  for (var m = 0u; m < 16u; m = m + 1u) {
    for (var n = 0u; n < 16u; n = n + 1u) {
      var s = 0;
      for (var k = 0u; k < 32u; k = k + 1u) { s = s + a.v[m * 32u + k] * b.v[k * 16u + n]; }
      r.v[m * 16u + n] = r.v[m * 16u + n] + s;
    }
  }
  return r;
}
fn smStore(off: u32, c: SMResult, stride: u32) {
  for (var m = 0u; m < 16u; m = m + 1u) { for (var n = 0u; n < 16u; n = n + 1u) { Ws[off + m * stride + n] = c.v[m * 16u + n]; } }
}
`;

/** Replaces each call `head(args)` by `name(picked args)`, splitting the arguments at top-level commas. */
function replaceCalls(src: string, head: string, rewrite: (args: string[]) => string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const i = src.indexOf(head, at);
    if (i < 0) return out + src.slice(at);
    let depth = 1;
    let j = i + head.length;
    const args: string[] = [];
    let start = j;
    for (; depth > 0; j++) {
      const ch = src[j];
      if (ch === undefined) throw new Error(`unbalanced call ${head}`);
      if (ch === '(') depth++;
      else if (ch === ')') depth--;
      if ((ch === ',' && depth === 1) || depth === 0) { args.push(src.slice(start, j).trim()); start = j + 1; }
    }
    out += src.slice(at, i) + rewrite(args);
    at = j;
  }
}

/** The program's WGSL with its int8 subgroup-matrix operations emulated (see above). */
export function emulateI8SubgroupMatrices(wgsl: string): string {
  if (!wgsl.includes('chromium_experimental_subgroup_matrix')) return wgsl;
  let s = wgsl.replace('diagnostic(off, chromium.subgroup_matrix_uniformity);\n', '').replace('enable chromium_experimental_subgroup_matrix;\n', '');
  s = replaceCalls(s, 'subgroupMatrixLoad<subgroup_matrix_left<i8, 32, 16>, row_major>(', ([, off, stride]) => `smLeft(${off}, ${stride})`);
  s = replaceCalls(s, 'subgroupMatrixLoad<subgroup_matrix_right<i8, 16, 32>, col_major>(', ([, off, stride]) => `smRight(${off}, ${stride})`);
  s = replaceCalls(s, 'subgroupMatrixStore<row_major>(', ([, off, value, stride]) => `smStore(${off}, ${value}, ${stride})`);
  s = s.replaceAll('subgroupMatrixMultiplyAccumulate(', 'smMma(').replaceAll('subgroup_matrix_result<i32, 16, 16>()', 'SMResult()');
  if (/subgroup_?[mM]atrix/.test(s)) throw new Error(`a subgroup-matrix form the emulation does not know:\n${s}`);
  // the helpers read and write Ws: after its declaration
  return s.replace(/(var<workgroup> Ws: array<i32, \d+>;\n)/, `$1${HELPERS}`);
}

/** `tactic` with every program's WGSL emulated. */
export function emulatedTactic(tactic: Tactic): Tactic {
  return { ...tactic, programs: tactic.programs.map((p) => ({ ...(p as EngineProgram), wgsl: emulateI8SubgroupMatrices((p as EngineProgram).wgsl) })) };
}
