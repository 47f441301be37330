// The tiled matrix-product shader shared by MatMul, Gemm and Conv (implicit GEMM): a workgroup of
// 16×16 threads computes a 64×64 output tile, each thread a 4×4 block held in registers; A and B
// tiles of depth 16 are staged in workgroup memory. Ops supply how to read A[m,k] and B[k,n] and
// how to store C[m,n] (bias, alpha/beta, im2col addressing), so the loop itself is written once.
import type { BufferRef, Program } from './program.js';
import type { Uniforms } from './shader.js';

export const GEMM_TILE = { m: 64, n: 64, k: 16, threads: 256 } as const;

export interface GemmShader {
  /** Pipeline key of the op-specific part (the tile loop is fixed). */
  key: string;
  /** Storage declarations (the uniform block is declared by the template at the next binding). */
  decls: string;
  bindings: BufferRef[];
  uniforms: Uniforms;
  /** WGSL statements run once per invocation before the loop, with `batch` (workgroup z) in scope. */
  prologue?: string;
  /** Module-scope WGSL (private variables set by the prologue, helper functions). */
  globals?: string;
  /** WGSL expressions of M, N, K (usually uniforms). */
  M: string;
  N: string;
  K: string;
  /**
   * WGSL statements run once before the loop with \`bn\`, the one B column this invocation loads
   * in every tile: hoists per-column address arithmetic (e.g. im2col's pixel) out of loadB.
   */
  columnB?: string;
  /** Bodies of fn loadA(m: u32, k: u32) -> f32 and fn loadB(k: u32, n: u32) -> f32, called in bounds only. */
  loadA: string;
  loadB: string;
  /** Body of fn store(m: u32, n: u32, v: f32), called in bounds only. */
  store: string;
  /** Independent products (batches, groups): workgroup z. */
  batches: number;
  m: number;
  n: number;
}

export function gemmProgram(s: GemmShader): Program {
  const { m: TM, n: TN, k: TK, threads } = GEMM_TILE;
  const stores = Array.from({ length: 16 }, (_, e) => {
    const [i, j] = [e >> 2, e & 3];
    const m = `m0 + lid.y * 4u + ${i}u`;
    const n = `n0 + lid.x * 4u + ${j}u`;
    return `  if (${m} < M && ${n} < N) { store(${m}, ${n}, acc[${i}][${j}]); }`;
  }).join('\n');
  const source = () => `${s.decls}${s.uniforms.declare(s.bindings.length)}
${s.globals ?? ''}
fn loadA(m: u32, k: u32) -> f32 { ${s.loadA} }
fn loadB(k: u32, n: u32) -> f32 { ${s.loadB} }
fn store(m: u32, n: u32, v: f32) { ${s.store} }

var<workgroup> As: array<array<f32, ${TM}>, ${TK}>;
var<workgroup> Bs: array<array<f32, ${TN}>, ${TK}>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let batch = wid.z;
  ${s.prologue ?? ''}
  let M = ${s.M};
  let N = ${s.N};
  let K = ${s.K};
  let m0 = wid.y * ${TM}u;
  let n0 = wid.x * ${TN}u;
  let tid = lid.y * 16u + lid.x;
  // B tiles are loaded with kk = tid / ${TN} + i·${threads / TN} and nn = tid % ${TN}: one column per invocation.
  let bn = n0 + tid % ${TN}u;
  ${s.columnB ?? ''}
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < K; k0 = k0 + ${TK}u) {
    for (var i = 0u; i < ${(TM * TK) / threads}u; i = i + 1u) {
      let e = tid + i * ${threads}u;
      let mm = e / ${TK}u;
      let kk = e % ${TK}u;
      let gm = m0 + mm;
      let gk = k0 + kk;
      var v = 0.0;
      if (gm < M && gk < K) { v = loadA(gm, gk); }
      As[kk][mm] = v;
    }
    for (var i = 0u; i < ${(TN * TK) / threads}u; i = i + 1u) {
      let kk = tid / ${TN}u + i * ${threads / TN}u;
      let nn = tid % ${TN}u;
      let gk = k0 + kk;
      let gn = bn;
      var v = 0.0;
      if (gk < K && gn < N) { v = loadB(gk, gn); }
      Bs[kk][nn] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${TK}u; kk = kk + 1u) {
      let a = vec4<f32>(As[kk][lid.y * 4u], As[kk][lid.y * 4u + 1u], As[kk][lid.y * 4u + 2u], As[kk][lid.y * 4u + 3u]);
      let b = vec4<f32>(Bs[kk][lid.x * 4u], Bs[kk][lid.x * 4u + 1u], Bs[kk][lid.x * 4u + 2u], Bs[kk][lid.x * 4u + 3u]);
      acc[0] = fma(vec4<f32>(a.x), b, acc[0]);
      acc[1] = fma(vec4<f32>(a.y), b, acc[1]);
      acc[2] = fma(vec4<f32>(a.z), b, acc[2]);
      acc[3] = fma(vec4<f32>(a.w), b, acc[3]);
    }
    workgroupBarrier();
  }
  // Unrolled so acc is only indexed by constants and stays in registers.
${stores}
}
`;
  return {
    key: `gemm${TM}x${TN}x${TK}:${s.key}`,
    source,
    bindings: s.bindings,
    uniforms: s.uniforms,
    workgroups: [Math.ceil(s.n / TN), Math.ceil(s.m / TM), s.batches],
  };
}
