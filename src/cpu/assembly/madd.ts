// acc + a·b over four floats. The relaxed-SIMD build (scripts/build-wasm.mjs, ASC_FEATURE_RELAXED_SIMD)
// emits f32x4.relaxed_madd, which V8 lowers to one fused multiply-add where the CPU has FMA (the
// result may round once or twice: the proposal leaves it to the platform); the plain build
// multiplies, then adds. The branch is decided at compile time.

// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}
