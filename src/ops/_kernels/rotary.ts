// Rotary position embedding of one head vector, shared by ONNX RotaryEmbedding and the
// com.microsoft RotaryEmbedding / GroupQueryAttention. The first `2·half` values rotate in pairs:
// (x[2i], x[2i+1]) when interleaved, else (x[i], x[i+half]); each pair (a, b) becomes
// (a·cos − b·sin, a·sin + b·cos) with cos/sin the i-th entry of the position's cache row.
// Values past 2·half are left as they are.
export function rotateHead(
  x: Float32Array, at: number, half: number, interleaved: boolean,
  cos: ArrayLike<number>, sin: ArrayLike<number>, cacheAt: number,
): void {
  for (let i = 0; i < half; i++) {
    const p = interleaved ? at + 2 * i : at + i;
    const r = interleaved ? p + 1 : p + half;
    const a = x[p]!;
    const b = x[r]!;
    const c = cos[cacheAt + i]!;
    const s = sin[cacheAt + i]!;
    x[p] = a * c - b * s;
    x[r] = a * s + b * c;
  }
}
