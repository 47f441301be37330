// Split K for int8 products with few tiles and a long K (BERT's M = 128 rows against K = 3072:
// 24 tiles of 64×64 leave most of a large GPU idle while each walks 48 steps alone). Each of S
// slices of K runs in workgroups of its own and writes its int32 partial sums to scratch; this
// program adds the S partial sums of each element (integer sums: exact in any order) and passes
// them through the same epilogue and stores as an unsplit tile (int8-store.ts).
import { grid } from '../matmul-tile.js';
import type { DeviceCaps } from '../../../devices/webgpu/caps.js';
import type { EngineProgram } from '../tactic.js';
import { int8Finish } from './int8-epilogue.js';
import { outputDecls, storeCode } from './int8-store.js';
import type { Int8Problem } from './int8-tile.js';

/** Workgroups below which a product is split (about two waves on a GPU of 100+ multiprocessors). */
const FEW_WORKGROUPS = 256;

/**
 * How many slices to cut K into for a product of `tiles` workgroups (per group) and `steps` K steps:
 * enough to reach FEW_WORKGROUPS, at least two steps a slice, and every slice non-empty; 1 when
 * splitting does not pay.
 */
export function int8Splits(tiles: number, steps: number): number {
  let s = 1;
  while (tiles * s < FEW_WORKGROUPS && steps / (s * 2) >= 2) s *= 2;
  // every slice gets at least one step
  return s > 1 ? Math.ceil(steps / Math.ceil(steps / s)) : 1;
}

/**
 * Adds up the `splits` partial sums (scratch 0) and finishes them into the output, one 1×4 block
 * an invocation (4×4 where the output packs four rows of a column into a word).
 */
export function splitFinishProgram(p: Int8Problem, splits: number, caps: DeviceCaps): EngineProgram {
  // a short, latency-bound program: one row per invocation gives four times the invocations
  const rowsPer = p.store === 'col4' && !!p.y && !p.yFloat && !p.parts ? 4 : 1;
  const blocksN = Math.ceil(p.n / 4);
  const blocks = Math.ceil(p.m / rowsPer) * blocksN;
  const [gx, gy] = grid(Math.ceil(blocks / 64), caps) ?? [0, 0];
  if (gx === 0) throw new Error('int8 split finish exceeds the dispatch limit');
  const outs = outputDecls(p, 2, 1);
  const rq = Array.from({ length: rowsPer }, (_, i) => i);
  const cq = [0, 1, 2, 3];
  // a row's four columns are one 16-byte load when N % 4 == 0; the slices are unrolled so that
  // every load is in flight at once (this program is short and latency-bound)
  const vec = p.n % 4 === 0;
  const sum = vec
    ? Array.from({ length: splits }, (_, z) => rq.map((i) => `  if (m0r + ${i}u < M) { let v = part[((grp * ${splits}u + ${z}u) * M + m0r + ${i}u) * ${p.n / 4}u + n0c / 4u]; ${cq.map((j) => `acc[${i}][${j}] += v.${'xyzw'[j]};`).join(' ')} }`).join('\n')).join('\n')
    : `  for (var z = 0u; z < ${splits}u; z = z + 1u) {
    let base = (grp * ${splits}u + z) * M;
${rq.flatMap((i) => cq.map((j) => `    if (m0r + ${i}u < M && n0c + ${j}u < N) { acc[${i}][${j}] = acc[${i}][${j}] + part[(base + m0r + ${i}u) * N + n0c + ${j}u]; }`)).join('\n')}
  }`;
  const wgsl = `@group(0) @binding(0) var<storage, read_write> part: array<${vec ? 'vec4<i32>' : 'i32'}>;
@group(0) @binding(1) var<storage, read> qp: array<u32>;
${outs.wgsl}
var<private> grp: u32;
const M = ${p.m}u;
const N = ${p.n}u;

fn outIndex(m: u32, n: u32) -> u32 { return ${p.outIndex}; }
${int8Finish({ ...p, residual: !!p.residual })}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let blk = (wid.y * ${gx}u + wid.x) * 64u + lid;
  if (blk >= ${blocks}u) { return; }
  grp = wid.z;
  let m0r = (blk / ${blocksN}u) * ${rowsPer}u;
  let n0c = (blk % ${blocksN}u) * 4u;
  var acc: array<array<i32, 4>, ${rowsPer}>;
${sum}
${storeCode(p, rowsPer)}
}
`;
  return { wgsl, bindings: [{ scratch: 0 }, { constant: 1 }, ...outs.bindings], workgroups: [gx, gy, p.groups] };
}
