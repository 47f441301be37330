// The time loops of LSTM, GRU and RNN with their default activations (f = Sigmoid, g = h = Tanh),
// one call per direction and range of batch entries. The input projection X·Wᵀ of every step is
// done before (one GEMM: `xw`); a step adds the recurrent term H·Rᵀ as a sum of rows of Rᵀ scaled
// by h (SIMD across the gates, no horizontal sums), then the gates' elementwise passes (rnn-math.ts).
//
// Addresses are bytes; strides are floats. For batch entry b and time t:
//   xw row   xw + (t·xwStep + b·xwBatch)·4   (its gate columns in ONNX order, this direction's)
//   y row    y + (t·yStep + b·yBatch)·4      (hidden floats)
//   state    h + b·stateBatch·4 (and c)      in: the initial state, out: the final one
// `lens` holds one i32 sequence length per batch entry (0 ≤ len ≤ seq). Steps from len on leave
// their y rows zero; a reverse direction starts at step len − 1; a length-0 entry ends with zero
// states (as onnxruntime). `clip` bounds every pre-activation to [−clip, clip] (Infinity: none).

import { activateRange, addRange, blendRange, cellRange, hiddenRange, mulAddRange, mulRange, oneMinusRange, SIGMOID, TANH } from './rnn-math';
import { madd } from './madd';

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
      a0 = madd(s, v128.load(row), a0);
      a1 = madd(s, v128.load(row, 16), a1);
      a2 = madd(s, v128.load(row, 32), a2);
      a3 = madd(s, v128.load(row, 48), a3);
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
 * P [3·hidden] (i, o, f) or 0; `gates` is scratch of 5·hidden floats.
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
      const gi = gates, go = at(gates, H), gf = at(gates, 2 * H), gc = at(gates, 3 * H);
      if (peep) {
        mulAddRange(gi, peep, cb, H); // + Pi ⊙ C_{t-1}
        if (!inputForget) mulAddRange(gf, at(peep, 2 * H), cb, H); // + Pf ⊙ C_{t-1}
      }
      activateRange(gi, H, clip, SIGMOID);
      if (inputForget) oneMinusRange(gf, gi, H);
      else activateRange(gf, H, clip, SIGMOID);
      activateRange(gc, H, clip, TANH);
      cellRange(gi, gf, gc, cb, H);
      if (peep) mulAddRange(go, at(peep, H), cb, H); // + Po ⊙ C_t
      activateRange(go, H, clip, SIGMOID);
      hiddenRange(go, cb, hb, at(gates, 4 * H), H);
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
      addRange(gx, rec, 2 * H);
      activateRange(gx, 2 * H, clip, SIGMOID); // z, r
      const r = at(gx, H), hGate = at(gx, 2 * H), recH = at(rec, 2 * H);
      if (linearBeforeReset) mulAddRange(hGate, r, recH, H); // + r ⊙ (H·Rhᵀ + Rbh)
      else {
        mulRange(rh, r, hb, H);
        addVecTimesRows(recH, rh, H, at(rt, 2 * H), 3 * H, H); // Rbh + (r ⊙ H)·Rhᵀ
        addRange(hGate, recH, H);
      }
      activateRange(hGate, H, clip, TANH);
      blendRange(hb, gx, hGate, H);
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
      activateRange(pre, H, clip, TANH);
      memory.copy(hb, pre, <usize>H << 2);
      memory.copy(at(yb, t * yStep), hb, <usize>H << 2);
    }
    zeroTail(yb, yStep, len, seq, H);
    if (len == 0) memory.fill(hb, 0, <usize>H << 2);
  }
}
