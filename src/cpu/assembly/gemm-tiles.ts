// The GEMM's register tiles: C[rows×8] (=|+=) Σ_p A[p][rows] ⊗ B[p][0..8) over kc packed steps, the
// accumulators held in locals. On x64 V8 allocates 15 xmm registers to wasm code: a 5×8 tile takes
// 10 accumulators + 2 of B + 1 splat of A + 1 temporary, and measured up to ~25% faster than 4×8 on
// data in L1 (bench/cpu-ceiling.ts's `outer` kernel; 2-5% in the whole GEMM, which also waits on C
// and packs); 6×8 spills and drops to half speed. A packed per call is in 5-row panels, A packed
// ahead in 4-row ones: the 4×8 tiles have the panel's stride as a constant (a stride passed in
// measured ~15% slower); the 1- to 3-row tiles (the last panel only) take it as `aStep`. The loop is
// not unrolled over k: unrolled forms measured slower (register pressure).
// Accumulating tiles start from C's values rather than adding C after the loop: with the adds after
// the loop in the same function V8's register allocator spills inside the loop (measured 25 vs 58
// GFLOP/s for the 5×8 tile).

import { madd } from './madd';

/** 5×8 tile; `a` steps 20 bytes per k, `b` 32. */
export function tile5x8(kc: i32, a: usize, b: usize, c: usize, ldc: i32, overwrite: bool): void {
  const ld = <usize>ldc << 2;
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  if (!overwrite) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ld); c11 = v128.load(c + ld, 16);
    c20 = v128.load(c + 2 * ld); c21 = v128.load(c + 2 * ld, 16);
    c30 = v128.load(c + 3 * ld); c31 = v128.load(c + 3 * ld, 16);
    c40 = v128.load(c + 4 * ld); c41 = v128.load(c + 4 * ld, 16);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let s = v128.load32_splat(a);
    c00 = madd(s, b0, c00); c01 = madd(s, b1, c01);
    s = v128.load32_splat(a, 4);
    c10 = madd(s, b0, c10); c11 = madd(s, b1, c11);
    s = v128.load32_splat(a, 8);
    c20 = madd(s, b0, c20); c21 = madd(s, b1, c21);
    s = v128.load32_splat(a, 12);
    c30 = madd(s, b0, c30); c31 = madd(s, b1, c31);
    s = v128.load32_splat(a, 16);
    c40 = madd(s, b0, c40); c41 = madd(s, b1, c41);
    a += 20;
    b += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ld, c10); v128.store(c + ld, c11, 16);
  v128.store(c + 2 * ld, c20); v128.store(c + 2 * ld, c21, 16);
  v128.store(c + 3 * ld, c30); v128.store(c + 3 * ld, c31, 16);
  v128.store(c + 4 * ld, c40); v128.store(c + 4 * ld, c41, 16);
}

/** 4×8 tile over the first 4 rows of 5-row panels (A packed per call). */
export function tile4x8(kc: i32, a: usize, b: usize, c: usize, ldc: i32, overwrite: bool): void {
  const ld = <usize>ldc << 2;
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  if (!overwrite) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ld); c11 = v128.load(c + ld, 16);
    c20 = v128.load(c + 2 * ld); c21 = v128.load(c + 2 * ld, 16);
    c30 = v128.load(c + 3 * ld); c31 = v128.load(c + 3 * ld, 16);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let s = v128.load32_splat(a);
    c00 = madd(s, b0, c00); c01 = madd(s, b1, c01);
    s = v128.load32_splat(a, 4);
    c10 = madd(s, b0, c10); c11 = madd(s, b1, c11);
    s = v128.load32_splat(a, 8);
    c20 = madd(s, b0, c20); c21 = madd(s, b1, c21);
    s = v128.load32_splat(a, 12);
    c30 = madd(s, b0, c30); c31 = madd(s, b1, c31);
    a += 20;
    b += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ld, c10); v128.store(c + ld, c11, 16);
  v128.store(c + 2 * ld, c20); v128.store(c + 2 * ld, c21, 16);
  v128.store(c + 3 * ld, c30); v128.store(c + 3 * ld, c31, 16);
}

// The last panel's 1 to 3 rows: tiles of exactly those rows, since wasted rows cost their full
// time whenever the core's FP pipes are the limit (fewer accumulators wait more on the add's latency).

/** 4×8 tile over 4-row panels (A packed ahead), inlined: out of line it measured ~15% slower. */
// @ts-ignore: decorator
@inline
export function tile4x8p(kc: i32, a: usize, b: usize, c: usize, ldc: i32, overwrite: bool): void {
  const ld = <usize>ldc << 2;
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  if (!overwrite) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ld); c11 = v128.load(c + ld, 16);
    c20 = v128.load(c + 2 * ld); c21 = v128.load(c + 2 * ld, 16);
    c30 = v128.load(c + 3 * ld); c31 = v128.load(c + 3 * ld, 16);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let s = v128.load32_splat(a);
    c00 = madd(s, b0, c00); c01 = madd(s, b1, c01);
    s = v128.load32_splat(a, 4);
    c10 = madd(s, b0, c10); c11 = madd(s, b1, c11);
    s = v128.load32_splat(a, 8);
    c20 = madd(s, b0, c20); c21 = madd(s, b1, c21);
    s = v128.load32_splat(a, 12);
    c30 = madd(s, b0, c30); c31 = madd(s, b1, c31);
    a += 16;
    b += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ld, c10); v128.store(c + ld, c11, 16);
  v128.store(c + 2 * ld, c20); v128.store(c + 2 * ld, c21, 16);
  v128.store(c + 3 * ld, c30); v128.store(c + 3 * ld, c31, 16);
}

// The last panel's 1 to 3 rows: tiles of exactly those rows, since wasted rows cost their full
// time whenever the core's FP pipes are the limit (fewer accumulators wait more on the add's latency).

/** 3×8 tile over the first 3 rows of a panel (`aStep` bytes per k). */
export function tile3x8(kc: i32, a: usize, aStep: usize, b: usize, c: usize, ldc: i32, overwrite: bool): void {
  const ld = <usize>ldc << 2;
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  if (!overwrite) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ld); c11 = v128.load(c + ld, 16);
    c20 = v128.load(c + 2 * ld); c21 = v128.load(c + 2 * ld, 16);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let s = v128.load32_splat(a);
    c00 = madd(s, b0, c00); c01 = madd(s, b1, c01);
    s = v128.load32_splat(a, 4);
    c10 = madd(s, b0, c10); c11 = madd(s, b1, c11);
    s = v128.load32_splat(a, 8);
    c20 = madd(s, b0, c20); c21 = madd(s, b1, c21);
    a += aStep;
    b += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ld, c10); v128.store(c + ld, c11, 16);
  v128.store(c + 2 * ld, c20); v128.store(c + 2 * ld, c21, 16);
}

/** 2×8 tile over the first 2 rows of a panel (`aStep` bytes per k). */
export function tile2x8(kc: i32, a: usize, aStep: usize, b: usize, c: usize, ldc: i32, overwrite: bool): void {
  const ld = <usize>ldc << 2;
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  if (!overwrite) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ld); c11 = v128.load(c + ld, 16);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let s = v128.load32_splat(a);
    c00 = madd(s, b0, c00); c01 = madd(s, b1, c01);
    s = v128.load32_splat(a, 4);
    c10 = madd(s, b0, c10); c11 = madd(s, b1, c11);
    a += aStep;
    b += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ld, c10); v128.store(c + ld, c11, 16);
}

/** 1×8 tile over the first row of a panel (`aStep` bytes per k). */
export function tile1x8(kc: i32, a: usize, aStep: usize, b: usize, c: usize, overwrite: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  if (!overwrite) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    const s = v128.load32_splat(a);
    c00 = madd(s, b0, c00); c01 = madd(s, b1, c01);
    a += aStep;
    b += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
}

/** 5×4 tile (the first 4 columns of an 8-wide B panel), always overwriting: right edges of 1 to 4 columns. */
export function tile5x4(kc: i32, a: usize, b: usize, c: usize, ldc: i32): void {
  const ld = <usize>ldc << 2;
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0), c4 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    c0 = madd(v128.load32_splat(a), b0, c0);
    c1 = madd(v128.load32_splat(a, 4), b0, c1);
    c2 = madd(v128.load32_splat(a, 8), b0, c2);
    c3 = madd(v128.load32_splat(a, 12), b0, c3);
    c4 = madd(v128.load32_splat(a, 16), b0, c4);
    a += 20;
    b += 32;
  }
  v128.store(c, c0);
  v128.store(c + ld, c1);
  v128.store(c + 2 * ld, c2);
  v128.store(c + 3 * ld, c3);
  v128.store(c + 4 * ld, c4);
}
