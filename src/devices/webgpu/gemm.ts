// The framework's matrix product for MatMul, Gemm, Conv (implicit GEMM) and Attention, on the tile
// template the engine also uses (matmul-tile.ts). Ops supply how to read A[m,k] and B[k,n] and how
// to store C[m,n] (bias, alpha/beta, im2col addressing); sizes are uniforms, so one pipeline serves
// every shape of an op, and the tile is a fixed choice per problem size (the engine times tactics,
// the framework does not).
import { BASELINE_CAPS } from './caps.js';
import { storeFinal, tileLoop, tileName, type TileConfig } from './matmul-tile.js';
import type { BufferRef, Program } from './program.js';
import type { Uniforms } from './shader.js';

export interface GemmShader {
  /** Pipeline key of the op-specific part (the tile is named by the template). */
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
   * WGSL statements run with \`bn\`, the B column about to be loaded, before loadB: per-column address
   * arithmetic (e.g. im2col's pixel) setting private variables loadB reads.
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

/**
 * The tile for an m×n product: 64×64 (16×16 threads of 4×4) when both sides fill it, narrower on a
 * thin side so small products (attention heads, a few output channels) do not idle most threads.
 */
export function gemmTile(m: number, n: number): TileConfig {
  const side = (x: number) => (x <= 16 ? 16 : x <= 32 ? 32 : 64);
  const tm = side(m);
  return { tm, tn: side(n), tk: 16, rm: tm / 16, rn: 4 };
}

export function gemmProgram(s: GemmShader): Program {
  const c = gemmTile(s.m, s.n);
  const bindings = s.bindings.length;
  // The template's A rows are plain row indices; B quads and C pairs go through the op's scalar
  // loadB / store, bounds-checked here since sizes are only known at run time.
  const loadB4 = `fn loadB4(k: u32, n: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  if (k >= dimK) { return v; }
  for (var j = 0u; j < 4u; j = j + 1u) {
    let bn = n + j;
    if (bn < dimN) {${s.columnB ? `\n      ${s.columnB.replace(/\n/g, '\n    ')}` : ''}
      v[j] = loadB(k, bn);
    }
  }
  return v;
}`;
  const parts = `${s.decls}${s.uniforms.declare(bindings)}
${s.globals ?? ''}
alias ARow = u32;
fn rowA(m: u32) -> u32 { return m; }
fn loadA(m: u32, k: u32) -> f32 { ${s.loadA} }
fn loadB(k: u32, n: u32) -> f32 { ${s.loadB} }
${loadB4}
fn store(m: u32, n: u32, v: f32) { ${s.store} }
fn store1(m: u32, n: u32, v: f32) { store(m, n, v); }
fn store2(m: u32, n: u32, v: vec2<f32>) { store(m, n, v.x); store(m, n + 1u, v.y); }`;
  const problem = { m: s.m, n: s.n, k: 0, groups: s.batches, aQuads: false, a: none, b: none, epilogue: none };
  const dims = { M: s.M, N: s.N, K: s.K, prologue: s.prologue ?? '' };
  const source = () => tileLoop(problem, c, 1, BASELINE_CAPS, parts, storeFinal(undefined), dims).wgsl;
  return {
    key: `gemm${tileName(c)}${s.columnB ? ':colB' : ''}:${s.key}`,
    source,
    bindings: s.bindings,
    uniforms: s.uniforms,
    workgroups: [Math.ceil(s.n / c.tn), Math.ceil(s.m / c.tm), s.batches],
  };
}

/** The template's parts are given whole in `parts` above. */
const none = () => ({ wgsl: '', bindings: [] as BufferRef[] });
