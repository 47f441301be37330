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

// f16 × f16 → f32 16×16×16 matrices with the work shared out as the hardware shares it: lane L
// of a 32-invocation subgroup owns row L/2, columns 8·(L%2)..+8 of every product, so it holds
// only what that part needs — a left matrix's row (16 values), a right matrix's eight columns
// (128), its eight results — widened to f32, and stores only its eight results. Loads and stores
// take element offsets and strides, row- or column-major; one load and one store function per
// array the program names (WGSL has no pointer parameters to storage), appended at the module's
// end (module-scope order does not matter). The lane is `lid % 32`: the programs name their
// local invocation index `lid`.
const F16_TYPES = `struct SMHL { v: array<f32, 16> }
struct SMHR { v: array<f32, 128> }
struct SMHA { v: array<f32, 8> }
var<private> smLane: u32;
// loop bounds the shader compiler cannot see (16 and 8): unrolled, every helper call would inline
// hundreds of loads and take lavapipe's compiler minutes
var<private> smN: u32;
var<private> smH: u32;
fn smhMma(a: SMHL, b: SMHR, c: SMHA) -> SMHA {
  var r = c;
  for (var n = 0u; n < smH; n = n + 1u) {
    var s = 0.0;
    for (var k = 0u; k < smN; k = k + 1u) { s = s + a.v[k] * b.v[k * 8u + n]; }
    r.v[n] = r.v[n] + s;
  }
  return r;
}
`;

const f16Load = (arr: string) => `fn smhLeft_${arr}(off: u32, stride: u32, cols: bool) -> SMHL {
  var r: SMHL;
  let i = smLane / 2u;
  for (var j = 0u; j < smN; j = j + 1u) { r.v[j] = f32(${arr}[select(off + i * stride + j, off + j * stride + i, cols)]); }
  return r;
}
fn smhRight_${arr}(off: u32, stride: u32, cols: bool) -> SMHR {
  var r: SMHR;
  let j0 = 8u * (smLane % 2u);
  for (var i = 0u; i < smN; i = i + 1u) {
    for (var n = 0u; n < smH; n = n + 1u) { r.v[i * 8u + n] = f32(${arr}[select(off + i * stride + j0 + n, off + (j0 + n) * stride + i, cols)]); }
  }
  return r;
}
`;
const f32Load = (arr: string) => `fn smhAcc_${arr}(off: u32, stride: u32) -> SMHA {
  var r: SMHA;
  let i = smLane / 2u;
  let j0 = 8u * (smLane % 2u);
  for (var n = 0u; n < smH; n = n + 1u) { r.v[n] = ${arr}[off + i * stride + j0 + n]; }
  return r;
}
`;
const f16Store = (arr: string) => `fn smhStore_${arr}(off: u32, c: SMHA, stride: u32) {
  let i = smLane / 2u;
  let j0 = 8u * (smLane % 2u);
  for (var n = 0u; n < smH; n = n + 1u) { ${arr}[off + i * stride + j0 + n] = c.v[n]; }
}
`;

/** The program's WGSL with its f16 → f32 subgroup-matrix operations emulated (see above). */
export function emulateF16SubgroupMatrices(wgsl: string): string {
  if (!wgsl.includes('chromium_experimental_subgroup_matrix')) return wgsl;
  let s = wgsl.replace('diagnostic(off, chromium.subgroup_matrix_uniformity);\n', '').replace('enable chromium_experimental_subgroup_matrix;\n', '');
  const loads = new Set<string>();
  const stores = new Set<string>();
  const arrayOf = (ptr: string, set: Set<string>) => { const a = ptr.replace(/^&/, ''); set.add(a); return a; };
  for (const kind of ['left', 'right']) {
    for (const major of ['row_major', 'col_major']) {
      s = replaceCalls(s, `subgroupMatrixLoad<subgroup_matrix_${kind}<f16, 16, 16>, ${major}>(`, ([ptr, off, stride]) =>
        `smh${kind === 'left' ? 'Left' : 'Right'}_${arrayOf(ptr!, loads)}(${off}, ${stride}, ${major === 'col_major'})`);
    }
  }
  const accLoads = new Set<string>();
  s = replaceCalls(s, 'subgroupMatrixLoad<subgroup_matrix_result<f32, 16, 16>, row_major>(', ([ptr, off, stride]) => `smhAcc_${arrayOf(ptr!, accLoads)}(${off}, ${stride})`);
  s = replaceCalls(s, 'subgroupMatrixStore<row_major>(', ([ptr, off, value, stride]) => `smhStore_${arrayOf(ptr!, stores)}(${off}, ${value}, ${stride})`);
  s = s.replaceAll('subgroupMatrixMultiplyAccumulate(', 'smhMma(').replaceAll('subgroup_matrix_result<f32, 16, 16>()', 'SMHA()');
  if (/subgroup_?[mM]atrix/.test(s)) throw new Error(`a subgroup-matrix form the emulation does not know:\n${s}`);
  if (!/@builtin\(local_invocation_index\) lid: u32\) \{\n/.test(s)) throw new Error('the emulation needs the local invocation index named lid');
  s = s.replace(/(@builtin\(local_invocation_index\) lid: u32\) \{\n)/, '$1  smLane = lid % 32u;\n  smN = select(16u, 0u, arrayLength(&y) == 0xffffffffu);\n  smH = smN / 2u;\n');
  return s + F16_TYPES + [...loads].map(f16Load).join('') + [...stores].map(f16Store).join('') + [...accLoads].map(f32Load).join('');
}

/** `tactic` with every program's WGSL emulated (int8 tiles, or f16 matrices with `f16`). */
export function emulatedTactic(tactic: Tactic, f16 = false): Tactic {
  const emulate = f16 ? emulateF16SubgroupMatrices : emulateI8SubgroupMatrices;
  return { ...tactic, programs: tactic.programs.map((p) => ({ ...(p as EngineProgram), wgsl: emulate((p as EngineProgram).wgsl) })) };
}
