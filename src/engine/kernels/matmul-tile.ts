// The engine's use of the shared matrix-product template (src/devices/webgpu/matmul-tile.ts):
// sizes baked into the WGSL, and split-K, which spreads K over workgroups (partials to arena
// scratch) and runs a second program summing them through the epilogue.
import type { DeviceCaps } from '../../devices/webgpu/caps.js';
import { mmaTileLoop } from '../../devices/webgpu/matmul-mma.js';
import * as tile from '../../devices/webgpu/matmul-tile.js';
import { grid, storeFinal, storePartial, tileName, tileUnfit, type TileConfig } from '../../devices/webgpu/matmul-tile.js';
import type { EngineBinding, EngineProgram } from './tactic.js';

export { grid, hasF16Mma, roundUp, tileName, tileStorage, tileSubgroups, tileThreads, tileUnfit, type TileConfig } from '../../devices/webgpu/matmul-tile.js';
export type WgslPart = tile.WgslPart<EngineBinding>;
export type PartBuilder = tile.PartBuilder<EngineBinding>;
export type MatmulProblem = tile.MatmulProblem<EngineBinding>;

/**
 * The tile-loop program (and, with splits > 1, the reduction) for a problem: the SIMT loop, or the
 * subgroup-matrix one for an `mma` tile.
 */
export function tiledMatmul(p: MatmulProblem, c: TileConfig, splits: number, caps: DeviceCaps): { programs: EngineProgram[]; scratch: number[] } {
  const unfit = tileUnfit(c, caps, p, splits);
  if (unfit) throw new Error(`tile ${tileName(c)}: ${unfit}`);
  const tileLoop: typeof tile.tileLoop = (pp, cc, ss, kk, parts, storeC) => (cc.mma ? mmaTileLoop(pp, cc, ss, kk, parts, storeC) : tile.tileLoop(pp, cc, ss, kk, parts, storeC));
  const tilesK = Math.ceil(p.k / c.tk);
  if (splits > tilesK) throw new Error(`split-K ${splits} over ${tilesK} K tiles`);
  const a = p.a(0);
  const b = p.b(a.bindings.length);
  const first = a.bindings.length + b.bindings.length;
  if (splits === 1) {
    const epi = p.epilogue(first);
    const main = tileLoop(p, c, 1, caps, [a.wgsl, b.wgsl, epi.wgsl].join('\n'), storeFinal(p.n));
    return { programs: [{ ...main, bindings: [...a.bindings, ...b.bindings, ...epi.bindings] }], scratch: [] };
  }
  const partial = `@group(0) @binding(${first}) var<storage, read_write> part: array<f32>;\n`;
  const main = tileLoop(p, c, splits, caps, [a.wgsl, b.wgsl, partial].join('\n'), storePartial());
  const reduce = reduceProgram(p, splits, caps);
  return {
    programs: [{ ...main, bindings: [...a.bindings, ...b.bindings, { scratch: 0 }] }, reduce],
    scratch: [p.groups * splits * p.m * p.n * 4],
  };
}

/** Sums the split-K partials of each pair of columns and runs the epilogue on the total. */
function reduceProgram(p: MatmulProblem, splits: number, caps: DeviceCaps): EngineProgram {
  const epi = p.epilogue(1);
  const pairs = Math.ceil(p.n / 2);
  const total = p.groups * p.m * pairs;
  const [gx, gy] = grid(Math.ceil(total / 256), caps) ?? [0, 0];
  if (gx === 0) throw new Error('split-K reduction exceeds the dispatch limit');
  const wgsl = `@group(0) @binding(0) var<storage, read_write> part: array<f32>;
${epi.wgsl}
var<private> grp: u32;
const M = ${p.m}u;
const N = ${p.n}u;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let id = (wid.y * ${gx}u + wid.x) * 256u + lid;
  if (id >= ${total}u) { return; }
  let n = (id % ${pairs}u) * 2u;
  let row = id / ${pairs}u;
  let m = row % M;
  grp = row / M;
  var v = vec2<f32>(0.0);
  for (var s = 0u; s < ${splits}u; s = s + 1u) {
    let i = ((grp * ${splits}u + s) * M + m) * N + n;
    v.x = v.x + part[i];
    ${p.n % 2 === 0 ? 'v.y = v.y + part[i + 1u];' : 'if (n + 1u < N) { v.y = v.y + part[i + 1u]; }'}
  }
  ${p.n % 2 === 0 ? 'store2(m, n, v);' : 'if (n + 1u < N) { store2(m, n, v); } else { store1(m, n, v.x); }'}
}
`;
  return { wgsl, bindings: [{ scratch: 0 }, ...epi.bindings], workgroups: [gx, gy, 1] };
}
