// The WebAssembly SIMD arithmetic peak of one thread (AssemblyScript; bench/cpu-ceiling.ts compiles
// it at bench time). Kept as `.as` so that the project's TypeScript check does not read it.
// Every kernel issues f32x4.mul then f32x4.add per multiply-add (what V8 turns into 128-bit mulps +
// addps); none touches memory beyond a few hundred bytes that stay in L1.
//
// `peak`: twelve independent accumulators, acc += v · w, v loaded from a 384-byte buffer (two
//   halves in turns, so that no compiler can hoist the loads out of the loop);
// `outer`: a 5×8 outer product per step into ten accumulators, as a GEMM micro-kernel does it
//   (two f32x4 loads of B, five splat loads of A); measured fastest of the register tiles that fit
//   V8's 15 allocatable xmm registers (4×8, 6×8, 3×12, 4×12, 2×16 and k-unrolled forms were slower);
// `chained`: twelve chains of acc = acc · x + y (the mul's and the add's latency on each chain).
// The ceiling is the best of them.

/** 12 accumulators × 4 lanes × (1 mul + 1 add) = 96 flops per step; returns a lane so the work stays live. */
export function peak(steps: i32, buf: usize, w0: f32): f32 {
  const w = f32x4.splat(w0);
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
  let a8 = f32x4.splat(0), a9 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let p = buf;
  for (let i = 0; i < steps; i++) {
    a0 = f32x4.add(a0, f32x4.mul(v128.load(p), w)); a1 = f32x4.add(a1, f32x4.mul(v128.load(p, 16), w));
    a2 = f32x4.add(a2, f32x4.mul(v128.load(p, 32), w)); a3 = f32x4.add(a3, f32x4.mul(v128.load(p, 48), w));
    a4 = f32x4.add(a4, f32x4.mul(v128.load(p, 64), w)); a5 = f32x4.add(a5, f32x4.mul(v128.load(p, 80), w));
    a6 = f32x4.add(a6, f32x4.mul(v128.load(p, 96), w)); a7 = f32x4.add(a7, f32x4.mul(v128.load(p, 112), w));
    a8 = f32x4.add(a8, f32x4.mul(v128.load(p, 128), w)); a9 = f32x4.add(a9, f32x4.mul(v128.load(p, 144), w));
    a10 = f32x4.add(a10, f32x4.mul(v128.load(p, 160), w)); a11 = f32x4.add(a11, f32x4.mul(v128.load(p, 176), w));
    p ^= 192;
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  const t = f32x4.add(s, f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)));
  return f32x4.extract_lane(t, 0);
}

/** 12 chains of acc = acc · x + y: 96 flops per step, each step waiting for a mul and an add. */
export function chained(steps: i32, x0: f32, y0: f32): f32 {
  const x = f32x4.splat(x0);
  const y = f32x4.splat(y0);
  let a0 = f32x4.splat(0.1), a1 = f32x4.splat(0.2), a2 = f32x4.splat(0.3), a3 = f32x4.splat(0.4);
  let a4 = f32x4.splat(0.5), a5 = f32x4.splat(0.6), a6 = f32x4.splat(0.7), a7 = f32x4.splat(0.8);
  let a8 = f32x4.splat(0.9), a9 = f32x4.splat(1.0), a10 = f32x4.splat(1.1), a11 = f32x4.splat(1.2);
  for (let i = 0; i < steps; i++) {
    a0 = f32x4.add(f32x4.mul(a0, x), y); a1 = f32x4.add(f32x4.mul(a1, x), y);
    a2 = f32x4.add(f32x4.mul(a2, x), y); a3 = f32x4.add(f32x4.mul(a3, x), y);
    a4 = f32x4.add(f32x4.mul(a4, x), y); a5 = f32x4.add(f32x4.mul(a5, x), y);
    a6 = f32x4.add(f32x4.mul(a6, x), y); a7 = f32x4.add(f32x4.mul(a7, x), y);
    a8 = f32x4.add(f32x4.mul(a8, x), y); a9 = f32x4.add(f32x4.mul(a9, x), y);
    a10 = f32x4.add(f32x4.mul(a10, x), y); a11 = f32x4.add(f32x4.mul(a11, x), y);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  const t = f32x4.add(s, f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)));
  return f32x4.extract_lane(t, 0);
}

/** 5 rows × 8 columns × (1 mul + 1 add) = 80 flops per step, operands from L1. */
export function outer(steps: i32, buf: usize): f32 {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let p = buf;
  for (let i = 0; i < steps; i++) {
    const b0 = v128.load(p);
    const b1 = v128.load(p, 16);
    let s = v128.load32_splat(p, 32);
    c00 = f32x4.add(c00, f32x4.mul(s, b0)); c01 = f32x4.add(c01, f32x4.mul(s, b1));
    s = v128.load32_splat(p, 36);
    c10 = f32x4.add(c10, f32x4.mul(s, b0)); c11 = f32x4.add(c11, f32x4.mul(s, b1));
    s = v128.load32_splat(p, 40);
    c20 = f32x4.add(c20, f32x4.mul(s, b0)); c21 = f32x4.add(c21, f32x4.mul(s, b1));
    s = v128.load32_splat(p, 44);
    c30 = f32x4.add(c30, f32x4.mul(s, b0)); c31 = f32x4.add(c31, f32x4.mul(s, b1));
    s = v128.load32_splat(p, 48);
    c40 = f32x4.add(c40, f32x4.mul(s, b0)); c41 = f32x4.add(c41, f32x4.mul(s, b1));
    p ^= 64;
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c00, c01), f32x4.add(c10, c11)), f32x4.add(f32x4.add(c20, c21), f32x4.add(c30, c31)));
  return f32x4.extract_lane(f32x4.add(s, f32x4.add(c40, c41)), 0);
}
