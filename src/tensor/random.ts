import { Tensor } from './tensor.js';

/**
 * mulberry32: a small, fast, seeded 32-bit PRNG. Every seeded draw in nnrt (initializers, the
 * embedded model, training-mode Dropout, tests) comes from it, so seeds reproduce everywhere.
 * Returns a function giving floats in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A float32 tensor of seeded uniform values in [lo, hi). */
export function uniformTensor(shape: readonly number[], seed: number, lo = -1, hi = 1): Tensor<'float32'> {
  const rand = mulberry32(seed);
  const n = shape.reduce((x, y) => x * y, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * rand();
  return new Tensor('float32', shape, data);
}
