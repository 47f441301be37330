// The time loops of LSTM, GRU and RNN with their default activations (f = Sigmoid, g = h = Tanh),
// one call per direction and range of batch entries. The input projection X·Wᵀ of every step is
// done before (one GEMM: `xw`); a step adds the recurrent term H·Rᵀ as a sum of rows of Rᵀ scaled
// by h (SIMD across the gates, no horizontal sums) and applies the gates in one pass.
//
// Addresses are bytes; strides are floats. For batch entry b and time t:
//   xw row   xw + (t·xwStep + b·xwBatch)·4   (its gate columns in ONNX order, this direction's)
//   y row    y + (t·yStep + b·yBatch)·4      (hidden floats)
//   state    h + b·stateBatch·4 (and c)      in: the initial state, out: the final one
// `lens` holds one i32 sequence length per batch entry (0 ≤ len ≤ seq). Steps from len on leave
// their y rows zero; a reverse direction starts at step len − 1; a length-0 entry ends with zero
// states (as onnxruntime). `clip` bounds every pre-activation to [−clip, clip] (Infinity: none).

/**
 * e^x in f32 without the standard library's lookup tables (static data would sit in the imported
 * memory that the host's arena reuses): x = n·ln2 + r, |r| ≤ ln2/2, e^r by a degree-6 polynomial,
 * 2^n through the exponent bits. Relative error about 2e-7; clamped to [−87, 88].
 */
// @ts-ignore: decorator
@inline
function exp(x: f32): f32 {
  x = min(max(x, -87), 88);
  const n: f32 = nearest<f32>(x * <f32>1.4426950408889634);
  const r: f32 = (x - n * <f32>0.693145751953125) - n * <f32>1.428606765330187e-6;
  const p: f32 = 1 + r * (1 + r * (0.5 + r * (0.16666666666666666 + r * (0.041666666666666664 + r * (0.008333333333333333 + r * 0.001388888888888889)))));
  return p * reinterpret<f32>((<i32>n + 127) << 23);
}

// @ts-ignore: decorator
@inline
function sigmoid(x: f32): f32 {
  return 1 / (1 + exp(-x));
}

// @ts-ignore: decorator
@inline
function tanh(x: f32): f32 {
  // 1 − 2/(e^{2x} + 1): saturates to ±1 at the clamps of exp
  return 1 - 2 / (exp(2 * x) + 1);
}

// @ts-ignore: decorator
@inline
function clamp(x: f32, clip: f32): f32 {
  return min(max(x, -clip), clip);
}

// @ts-ignore: decorator
@inline
function at(base: usize, floats: i32): usize {
  return base + (<usize>floats << 2);
}

/** out[0..n) += Σ_k v[k] · m[k·ldm + j]: a vector times the rows of a row-major matrix. */
function addVecTimesRows(out: usize, v: usize, kCount: i32, m: usize, ldm: i32, n: i32): void {
  let j = 0;
  // 16 outputs at a time stay in registers over the whole k loop
  for (; j + 16 <= n; j += 16) {
    const o = at(out, j);
    let a0 = v128.load(o), a1 = v128.load(o, 16), a2 = v128.load(o, 32), a3 = v128.load(o, 48);
    let row = at(m, j);
    const step = <usize>ldm << 2;
    for (let k = 0; k < kCount; k++, row += step) {
      const s = v128.load32_splat(at(v, k));
      a0 = f32x4.add(a0, f32x4.mul(s, v128.load(row)));
      a1 = f32x4.add(a1, f32x4.mul(s, v128.load(row, 16)));
      a2 = f32x4.add(a2, f32x4.mul(s, v128.load(row, 32)));
      a3 = f32x4.add(a3, f32x4.mul(s, v128.load(row, 48)));
    }
    v128.store(o, a0); v128.store(o, a1, 16); v128.store(o, a2, 32); v128.store(o, a3, 48);
  }
  for (; j + 4 <= n; j += 4) {
    const o = at(out, j);
    let a0 = v128.load(o);
    for (let k = 0; k < kCount; k++) a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(at(v, k)), v128.load(at(m, k * ldm + j))));
    v128.store(o, a0);
  }
  for (; j < n; j++) {
    let s = load<f32>(at(out, j));
    for (let k = 0; k < kCount; k++) s += load<f32>(at(v, k)) * load<f32>(at(m, k * ldm + j));
    store<f32>(at(out, j), s);
  }
}

/** dst[0..n) = a[0..n) + (b ? b[0..n) : 0). */
function sumInto(dst: usize, a: usize, b: usize, n: i32): void {
  if (b == 0) {
    memory.copy(dst, a, <usize>n << 2);
    return;
  }
  let j = 0;
  for (; j + 4 <= n; j += 4) v128.store(at(dst, j), f32x4.add(v128.load(at(a, j)), v128.load(at(b, j))));
  for (; j < n; j++) store<f32>(at(dst, j), load<f32>(at(a, j)) + load<f32>(at(b, j)));
}

/** Zeroes the y rows of steps len..seq of one batch entry. */
function zeroTail(y: usize, yStep: i32, len: i32, seq: i32, hidden: i32): void {
  for (let t = len; t < seq; t++) memory.fill(at(y, t * yStep), 0, <usize>hidden << 2);
}

/**
 * LSTM. `rt` is Rᵀ [hidden, 4·hidden] (gates i, o, f, c), `bias` Wb + Rb [4·hidden] or 0, `peep`
 * P [3·hidden] (i, o, f) or 0; `gates` is scratch of 4·hidden floats.
 */
export function lstmSequences(
  seq: i32, batch0: i32, batchCount: i32, lens: usize, reverse: i32, hidden: i32,
  xw: usize, xwStep: i32, xwBatch: i32, rt: usize, bias: usize, peep: usize,
  y: usize, yStep: i32, yBatch: i32, h: usize, c: usize, stateBatch: i32,
  gates: usize, clip: f32, inputForget: i32,
): void {
  const H = hidden;
  for (let b = batch0; b < batch0 + batchCount; b++) {
    const len = load<i32>(lens + (<usize>b << 2));
    const hb = at(h, b * stateBatch);
    const cb = at(c, b * stateBatch);
    const yb = at(y, b * yBatch);
    for (let s = 0; s < len; s++) {
      const t = reverse ? len - 1 - s : s;
      sumInto(gates, at(xw, t * xwStep + b * xwBatch), bias, 4 * H);
      addVecTimesRows(gates, hb, H, rt, 4 * H, 4 * H);
      for (let j = 0; j < H; j++) {
        const cPrev = load<f32>(at(cb, j));
        const pi: f32 = peep ? load<f32>(at(peep, j)) : 0;
        const po: f32 = peep ? load<f32>(at(peep, H + j)) : 0;
        const pf: f32 = peep ? load<f32>(at(peep, 2 * H + j)) : 0;
        const it: f32 = sigmoid(clamp(load<f32>(at(gates, j)) + pi * cPrev, clip));
        const ft: f32 = inputForget ? <f32>1 - it : sigmoid(clamp(load<f32>(at(gates, 2 * H + j)) + pf * cPrev, clip));
        const ct: f32 = tanh(clamp(load<f32>(at(gates, 3 * H + j)), clip));
        const C: f32 = ft * cPrev + it * ct;
        const ot: f32 = sigmoid(clamp(load<f32>(at(gates, H + j)) + po * C, clip));
        store<f32>(at(cb, j), C);
        store<f32>(at(hb, j), ot * tanh(C));
      }
      memory.copy(at(yb, t * yStep), hb, <usize>H << 2);
    }
    zeroTail(yb, yStep, len, seq, H);
    if (len == 0) {
      memory.fill(hb, 0, <usize>H << 2);
      memory.fill(cb, 0, <usize>H << 2);
    }
  }
}

/**
 * GRU. `rt` is Rᵀ [hidden, 3·hidden] (gates z, r, h), `bias` Wb then Rb [6·hidden] or 0;
 * `scratch` holds 7·hidden floats.
 */
export function gruSequences(
  seq: i32, batch0: i32, batchCount: i32, lens: usize, reverse: i32, hidden: i32,
  xw: usize, xwStep: i32, xwBatch: i32, rt: usize, bias: usize,
  y: usize, yStep: i32, yBatch: i32, h: usize, stateBatch: i32,
  scratch: usize, clip: f32, linearBeforeReset: i32,
): void {
  const H = hidden;
  const gx = scratch; // X·Wᵀ + Wb, 3H
  const rec = at(scratch, 3 * H); // H·Rᵀ + Rb, 3H (the h gate's from r ⊙ H when linear_before_reset = 0)
  const rh = at(scratch, 6 * H); // r ⊙ H, H
  const wb = bias;
  const rb = bias ? at(bias, 3 * H) : 0;
  for (let b = batch0; b < batch0 + batchCount; b++) {
    const len = load<i32>(lens + (<usize>b << 2));
    const hb = at(h, b * stateBatch);
    const yb = at(y, b * yBatch);
    for (let s = 0; s < len; s++) {
      const t = reverse ? len - 1 - s : s;
      sumInto(gx, at(xw, t * xwStep + b * xwBatch), wb, 3 * H);
      if (rb) memory.copy(rec, rb, <usize>(3 * H) << 2);
      else memory.fill(rec, 0, <usize>(3 * H) << 2);
      addVecTimesRows(rec, hb, H, rt, 3 * H, linearBeforeReset ? 3 * H : 2 * H);
      for (let j = 0; j < 2 * H; j++) {
        store<f32>(at(gx, j), sigmoid(clamp(load<f32>(at(gx, j)) + load<f32>(at(rec, j)), clip)));
      }
      if (!linearBeforeReset) {
        for (let j = 0; j < H; j++) store<f32>(at(rh, j), load<f32>(at(gx, H + j)) * load<f32>(at(hb, j)));
        addVecTimesRows(at(rec, 2 * H), rh, H, at(rt, 2 * H), 3 * H, H);
      }
      for (let j = 0; j < H; j++) {
        const z: f32 = load<f32>(at(gx, j));
        const r = load<f32>(at(gx, H + j));
        const recur = load<f32>(at(rec, 2 * H + j));
        const ht: f32 = tanh(clamp(load<f32>(at(gx, 2 * H + j)) + (linearBeforeReset ? r * recur : recur), clip));
        store<f32>(at(hb, j), (1 - z) * ht + z * load<f32>(at(hb, j)));
      }
      memory.copy(at(yb, t * yStep), hb, <usize>H << 2);
    }
    zeroTail(yb, yStep, len, seq, H);
    if (len == 0) memory.fill(hb, 0, <usize>H << 2);
  }
}

/** RNN with f = Tanh. `rt` is Rᵀ [hidden, hidden], `bias` Wb + Rb [hidden] or 0; `pre` holds hidden floats. */
export function rnnSequences(
  seq: i32, batch0: i32, batchCount: i32, lens: usize, reverse: i32, hidden: i32,
  xw: usize, xwStep: i32, xwBatch: i32, rt: usize, bias: usize,
  y: usize, yStep: i32, yBatch: i32, h: usize, stateBatch: i32,
  pre: usize, clip: f32,
): void {
  const H = hidden;
  for (let b = batch0; b < batch0 + batchCount; b++) {
    const len = load<i32>(lens + (<usize>b << 2));
    const hb = at(h, b * stateBatch);
    const yb = at(y, b * yBatch);
    for (let s = 0; s < len; s++) {
      const t = reverse ? len - 1 - s : s;
      sumInto(pre, at(xw, t * xwStep + b * xwBatch), bias, H);
      addVecTimesRows(pre, hb, H, rt, H, H);
      for (let j = 0; j < H; j++) store<f32>(at(hb, j), tanh(clamp(load<f32>(at(pre, j)), clip)));
      memory.copy(at(yb, t * yStep), hb, <usize>H << 2);
    }
    zeroTail(yb, yStep, len, seq, H);
    if (len == 0) memory.fill(hb, 0, <usize>H << 2);
  }
}
