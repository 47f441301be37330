import { elementwiseProgram } from '../../devices/webgpu/elementwise.js';
import { wgslType } from '../../devices/webgpu/dtype.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import type { Mod } from './mod.op.js';

// Float remainders as the CPU kernel computes them with JS `%` (C's fmod, exact): WGSL's `%` is
// x − y·trunc(x/y), off by whole multiples of y once x/y passes 2^24. So the remainder is found
// by long division instead: subtract y scaled by a power of two (exact, by Sterbenz' lemma, as
// y·2^k ≤ r < y·2^(k+1)) until r < |y|; at most one step per binary exponent of x/y.
const FMOD = `
var<private> MOD_NAN_BITS: u32 = 0x7fc00000u;
fn fmod_(x: f32, y: f32) -> f32 {
  let ay = abs(y);
  var r = abs(x);
  let xinf = (bitcast<u32>(x) & 0x7fffffffu) >= 0x7f800000u;
  let ynan = (bitcast<u32>(y) & 0x7fffffffu) > 0x7f800000u;
  if (xinf || ynan || ay == 0.0) { return bitcast<f32>(MOD_NAN_BITS); }
  if (r < ay) { return x; }
  let ey = frexp(ay).exp;
  loop {
    if (r < ay) { break; }
    var t = ldexp(ay, frexp(r).exp - ey);
    if (t > r) { t = t * 0.5; }
    r = r - t;
  }
  return select(r, -r, x < 0.0);
}
fn fmodFloored_(x: f32, y: f32) -> f32 {
  let r = fmod_(x, y);
  return select(r, r + y, r != 0.0 && (r < 0.0) != (y < 0.0));
}
`;

/** The remainder expression for the device type; an integer remainder by zero is 0, as on the CPU. */
function modExpr(t: 'f32' | 'i32' | 'u32', fmod: number): string {
  if (t === 'f32') return fmod === 1 ? 'fmod_(x0, x1)' : 'fmodFloored_(x0, x1)';
  if (t === 'u32') return 'select(0u, x0 % max(x1, 1u), x1 != 0u)';
  const r = 'select(0, x0 % select(x1, 1, x1 == 0), x1 != 0)';
  return fmod === 1 ? r : `floorMod_(${r}, x1)`;
}

const FLOOR_MOD_I32 = `
fn floorMod_(r: i32, y: i32) -> i32 { return select(r, r + y, r != 0 && (r < 0) != (y < 0)); }
`;

// y = a mod b under broadcasting: truncated (fmod = 1) or floored (fmod = 0) remainders.
export const modWgsl: GpuKernel<typeof Mod.attrs> = ([a, b], { fmod }, [out]) => {
  const t = wgslType(a!.dtype);
  const expr = modExpr(t, fmod);
  const helpers = t === 'f32' ? FMOD : t === 'i32' ? FLOOR_MOD_I32 : '';
  return { programs: [elementwiseProgram({ name: `Mod${fmod}`, expr, helpers }, [a!, b!], out!)] };
};
