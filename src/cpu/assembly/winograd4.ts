// Winograd F(4×4, 3×3): each 4×4 block of outputs from a 6×6 block of inputs, 36 multiplies per
// (input, output channel) pair instead of 144 (F(2×2, 3×3), winograd.ts: 64 for the same outputs).
// Same plan as winograd.ts with 36 GEMMs: V [36][channels][tiles], M [36][outChannels][tiles],
// tiles th × twp (twp a multiple of 4), 4 neighbouring tile columns per f32x4. `tmp` is scratch of
// 36 vectors (576 bytes) per thread, after the padded plane.
//   Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
//   Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1]
import { epilogueBlock } from './epilogue';
import { padPlane, winogradXiFloats } from './winograd';
import { madd } from './madd';

// @ts-ignore: decorator
@inline
function at(base: usize, floats: i32): usize {
  return base + (<usize>floats << 2);
}

/** Floats of scratch winograd4Input needs per thread: the padded plane, then 36 vectors. */
export function winograd4PadFloats(th: i32, twp: i32): i32 {
  return (4 * th + 2) * (4 * twp + 4) + 36 * 4;
}

/** Bᵀ·d of 6 vectors at p (stride `si` bytes) into 6 at q (stride `so` bytes). */
// @ts-ignore: decorator
@inline
function bt6(p: usize, si: usize, q: usize, so: usize): void {
  const d0 = v128.load(p), d1 = v128.load(p + si), d2 = v128.load(p + 2 * si);
  const d3 = v128.load(p + 3 * si), d4 = v128.load(p + 4 * si), d5 = v128.load(p + 5 * si);
  const four = f32x4.splat(4), five = f32x4.splat(5), two = f32x4.splat(2);
  const a = f32x4.sub(d4, f32x4.mul(four, d2)); // d4 − 4·d2
  const b = f32x4.sub(d3, f32x4.mul(four, d1)); // d3 − 4·d1
  const c = f32x4.sub(d4, d2);
  const e = f32x4.mul(two, f32x4.sub(d3, d1)); // 2·(d3 − d1)
  v128.store(q, f32x4.add(f32x4.sub(f32x4.mul(four, d0), f32x4.mul(five, d2)), d4));
  v128.store(q + so, f32x4.add(a, b));
  v128.store(q + 2 * so, f32x4.sub(a, b));
  v128.store(q + 3 * so, f32x4.add(c, e));
  v128.store(q + 4 * so, f32x4.sub(c, e));
  v128.store(q + 5 * so, f32x4.add(f32x4.sub(f32x4.mul(four, d1), f32x4.mul(five, d3)), d5));
}

/** The 4×4 transpose of a, b, c, d (as rows) stored at q, q + so, q + 2·so, q + 3·so. */
// @ts-ignore: decorator
@inline
function transpose4(a: v128, b: v128, c: v128, d: v128, q: usize, so: usize): void {
  const t0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5), t1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(c, d, 0, 4, 1, 5), t3 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
  v128.store(q, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(q + so, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(q + 2 * so, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(q + 3 * so, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}

/** V for channels c0..c0+cc of the image at x (see winograd.ts's winogradInput). */
export function winograd4Input(
  x: usize, c0: i32, cc: i32, channels: i32, ih: i32, iw: i32, ph: i32, pw: i32,
  th: i32, twp: i32, v: usize, pad: usize,
): void {
  const rows = 4 * th + 2;
  const width = 4 * twp + 4;
  const tiles = th * twp;
  const tmp = at(pad, rows * width); // D[6][6] then T[6][6], vectors
  const xiStride = <usize>winogradXiFloats(channels, tiles) << 2;
  memory.fill(pad, 0, <usize>(rows * width) << 2);
  for (let c = c0; c < c0 + cc; c++) {
    padPlane(at(x, c * ih * iw), ih, iw, ph, pw, rows, width, pad);
    const vc = at(v, c * tiles);
    for (let ti = 0; ti < th; ti++) {
      for (let tj = 0; tj < twp; tj += 4) {
        // row r of 4 tiles: d[r][k] = column 4·tj + 4q + k, q the tile; then (d·B) per row into tmp
        for (let r = 0; r < 6; r++) {
          const p = at(pad, (4 * ti + r) * width + 4 * tj);
          const row = tmp + (<usize>r * 96);
          transpose4(v128.load(p), v128.load(p, 16), v128.load(p, 32), v128.load(p, 48), row, 16);
          const v4 = v128.load(p, 64);
          v128.store(row, v128.shuffle<f32>(v128.load(row), v4, 1, 2, 3, 4), 64);
          v128.store(row, v128.shuffle<f32>(v128.load(row, 16), v4, 1, 2, 3, 5), 80);
          bt6(row, 16, row, 16); // in place: bt6 loads all six before storing
        }
        // columns: V[6·i + k] = (Bᵀ·t)[i][k]
        const o = at(vc, ti * twp + tj);
        for (let k = 0; k < 6; k++) bt6(tmp + (<usize>k << 4), 96, o + <usize>k * xiStride, 6 * xiStride);
      }
    }
  }
}

/** Aᵀ·m of 6 vectors at p (stride `si` bytes) into 4 at q (stride `so` bytes). */
// @ts-ignore: decorator
@inline
function at6(p: usize, si: usize, q: usize, so: usize): void {
  const m0 = v128.load(p), m1 = v128.load(p + si), m2 = v128.load(p + 2 * si);
  const m3 = v128.load(p + 3 * si), m4 = v128.load(p + 4 * si), m5 = v128.load(p + 5 * si);
  const s12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2);
  const s34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
  v128.store(q, f32x4.add(f32x4.add(m0, s12), s34));
  v128.store(q + so, madd(f32x4.splat(2), d34, d12));
  v128.store(q + 2 * so, madd(f32x4.splat(4), s34, s12));
  v128.store(q + 3 * so, f32x4.add(madd(f32x4.splat(8), d34, d12), m5));
}

/** Y for channels m0..m0+mc from M, then the epilogue per channel (see winograd.ts's winogradOutput). */
export function winograd4Output(
  mBase: usize, m0: i32, mc: i32, outChannels: i32, th: i32, twp: i32,
  y: usize, oh: i32, ow: i32, plane: i32, ep: usize, tmp: usize,
): void {
  const tiles = th * twp;
  const xiStride = <usize>winogradXiFloats(outChannels, tiles) << 2;
  const P = oh * ow;
  const rowOut = tmp + 384; // 4 vectors: one output row of 4 tiles, tile-major
  for (let m = m0; m < m0 + mc; m++) {
    const mm = at(mBase, m * tiles);
    const ym = at(y, m * plane);
    for (let ti = 0; ti < th; ti++) {
      for (let tj = 0; tj < twp; tj += 4) {
        const n = ow - 4 * tj;
        if (n <= 0) continue;
        // S = Aᵀ·M column by column: S[a][k] at tmp + (a·6 + k)·16
        const p = at(mm, ti * twp + tj);
        for (let k = 0; k < 6; k++) at6(p + <usize>k * xiStride, 6 * xiStride, tmp + (<usize>k << 4), 96);
        for (let a = 0; a < 4; a++) {
          const row = 4 * ti + a;
          if (row >= oh) break;
          // Y[a][b] for b = 0..3 (4 tiles each), then tile-major: 16 consecutive output columns
          at6(tmp + <usize>a * 96, 16, rowOut, 16);
          const y0 = v128.load(rowOut), y1 = v128.load(rowOut, 16), y2 = v128.load(rowOut, 32), y3 = v128.load(rowOut, 48);
          const dst = at(ym, row * ow + 4 * tj);
          if (n >= 16) transpose4(y0, y1, y2, y3, dst, 16);
          else {
            transpose4(y0, y1, y2, y3, rowOut, 16);
            for (let j = 0; j < n; j++) store<f32>(at(dst, j), load<f32>(at(rowOut, j)));
          }
        }
      }
    }
    epilogueBlock(ym, P, 1, P, m - m0, 0, <usize>((m - m0) * plane) << 2, ep);
  }
}
