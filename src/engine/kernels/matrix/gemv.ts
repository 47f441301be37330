// Matrix-vector style products for M ≤ 4 rows (batch-1 classifier heads, squeeze-excitation
// 1×1 convolutions): tiles would waste almost all their rows, so instead a workgroup owns a block
// of columns, its threads split K into slices (reading four columns of B per step, coalesced),
// and a reduction in workgroup memory sums the slices before the epilogue.
import type { DeviceCaps } from '../../../devices/webgpu/caps.js';
import { type MatmulProblem } from '../matmul-tile.js';
import type { EngineProgram } from '../tactic.js';

export const GEMV_MAX_ROWS = 4;
const THREADS = 256;

/** Why a GEMV with `cols` columns per workgroup cannot run this problem, or undefined. */
export function gemvUnfit(p: Pick<MatmulProblem, 'm' | 'n' | 'groups'>, cols: number, caps: DeviceCaps): string | undefined {
  if (p.m > GEMV_MAX_ROWS) return `${p.m} rows (GEMV takes at most ${GEMV_MAX_ROWS})`;
  if (p.groups !== 1) return 'grouped';
  if (THREADS > caps.maxInvocationsPerWorkgroup || THREADS * 16 > caps.maxWorkgroupStorage) return 'device limits';
  if (Math.ceil(p.n / cols) > caps.maxWorkgroupsPerDimension) return 'too many column blocks';
  return undefined;
}

/**
 * The program; B must be readable (zero-padded) up to a whole number of `cols` columns. `cols` is
 * 4·(a divisor of 256): each thread accumulates four columns over K/(256·4/cols) slices.
 */
export function gemvProgram(p: MatmulProblem, cols: number, caps: DeviceCaps): EngineProgram {
  const unfit = gemvUnfit(p, cols, caps);
  if (unfit) throw new Error(`gemv: ${unfit}`);
  const quads = cols / 4;
  const slices = THREADS / quads;
  const a = p.a(0);
  const b = p.b(a.bindings.length);
  const epi = p.epilogue(a.bindings.length + b.bindings.length);
  const rows = Array.from({ length: p.m }, (_, i) => i);
  const store = (n: string, v: string) => (p.n % 2 === 0
    ? `if (${n} < N) { store2(m, ${n}, ${v}); }`
    : `if (${n} + 1u < N) { store2(m, ${n}, ${v}); } else if (${n} < N) { store1(m, ${n}, ${v}.x); }`);
  const wgsl = `${a.wgsl}
${b.wgsl}
${epi.wgsl}
var<private> grp: u32;
const N = ${p.n}u;
const K = ${p.k}u;
var<workgroup> red: array<vec4<f32>, ${THREADS}>;

@compute @workgroup_size(${THREADS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  grp = 0u;
  let q = tid % ${quads}u;
  let s = tid / ${quads}u;
  let n = (wid.x * ${quads}u + q) * 4u;
${rows.map((i) => `  let r${i} = rowA(${i}u);\n  var acc${i} = vec4<f32>(0.0);`).join('\n')}
  for (var k = s; k < K; k = k + ${slices}u) {
    let b = loadB4(k, n);
${rows.map((i) => `    acc${i} = fma(vec4<f32>(loadA(r${i}, k)), b, acc${i});`).join('\n')}
  }
${rows.map((i) => `  red[tid] = acc${i};
  workgroupBarrier();
  if (s == 0u) {
    var v = red[q];
    for (var j = 1u; j < ${slices}u; j = j + 1u) { v = v + red[j * ${quads}u + q]; }
    let m = ${i}u;
    ${store('n', 'v.xy')}
    ${store('n + 2u', 'v.zw')}
  }
  workgroupBarrier();`).join('\n')}
}
`;
  return { wgsl, bindings: [...a.bindings, ...b.bindings, ...epi.bindings], workgroups: [Math.ceil(p.n / cols), 1, 1] };
}
