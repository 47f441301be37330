// The slice pipeline both tile loops share (the SIMT one in matmul-tile.ts, the subgroup-matrix one
// in matmul-mma.ts): every thread owns a few 4-wide quads of each TK-deep slice of A (rows read
// through rowA/fetchA) and of B (loadB4), fetches the next slice's quads into registers while the
// current slice is multiplied, and at the top of each step stashes them into workgroup memory the
// way its loop lays the slices out. Quad i of a thread is quad `tid + i·threads` of the slice:
// A row q / (TK/4), columns (q % (TK/4))·4..+3; B row q / (TN/4), columns (q % (TN/4))·4..+3, or,
// for a B whose K axis is the contiguous one (Kᵀ of attention's Q·Kᵀ: MatmulProblem.bKQuads),
// column q / (TK/4), rows (q % (TK/4))·4..+3 (loadB4k), so that a quad is one contiguous read
// rather than four reads a row of B apart.
// The loop declares m0, n0, t0, t1, dimM, and `t` (its step over slices).
import type { TileConfig } from './matmul-tile.js';

/** Statements storing the thread's quad i (the vec4<f32> `v`) into the loop's staged A or B slice. */
export interface SliceStash {
  a(i: number, v: string): string;
  b(i: number, v: string): string;
  /** B quad i when quads run along K: `v` holds rows kk..kk+3 of column nn (WGSL names bound first). */
  bk(v: string): string;
}

export interface SlicePipeline {
  /** Per-thread row addressing of A and the B column (before the accumulators). */
  rows: string;
  /** The quad registers and the fetch of the first slice. */
  registers: string;
  /** The top of a step: stash the fetched slice (between barriers), then fetch the next one. */
  step: string;
}

export function slicePipeline(c: TileConfig, threads: number, rowsChecked: boolean, stash: SliceStash, bKQuads = false): SlicePipeline {
  const TK4 = c.tk / 4;
  const TN4 = c.tn / 4;
  const quadsA = (c.tm * c.tk) / 4;
  const quadsB = (c.tk * c.tn) / 4;
  const LA = Math.ceil(quadsA / threads);
  const LB = Math.ceil(quadsB / threads);
  const rq = (n: number) => Array.from({ length: n }, (_, i) => i);
  const guardA = (i: number) => ((i + 1) * threads > quadsA ? `if (tid + ${i * threads}u < ${quadsA}u) ` : '');
  const guardB = (i: number) => ((i + 1) * threads > quadsB ? `if (tid + ${i * threads}u < ${quadsB}u) ` : '');

  const aRows = rq(LA).map((i) => {
    const guard = (i + 1) * threads > quadsA ? ` && tid + ${i * threads}u < ${quadsA}u` : '';
    return `  let am${i} = m0 + tid / ${TK4}u + ${(i * threads) / TK4}u;
  let ar${i} = rowA(min(am${i}, dimM - 1u));
  let aok${i} = ${rowsChecked ? `am${i} < dimM` : 'true'}${guard};`;
  }).join('\n');
  const fetchA = rq(LA).map((i) => `      pa${i} = select(vec4<f32>(0.0), fetchA(ar${i}, k), aok${i});`).join('\n');
  if (bKQuads && threads % TK4 !== 0) throw new Error(`B quads along K need a multiple of ${TK4} threads`);
  const fetchB = bKQuads
    ? rq(LB).map((i) => `      ${guardB(i)}{ pb${i} = loadB4k(kr, bn + ${(i * threads) / TK4}u); }`).join('\n')
    : rq(LB).map((i) => `      ${guardB(i)}{ pb${i} = loadB4(kr + ${(i * threads) / TN4}u, bn); }`).join('\n');
  const stashB = (i: number) => (bKQuads
    ? `let q = tid + ${i * threads}u; let nn = q / ${TK4}u; let kk = (q % ${TK4}u) * 4u; ${stash.bk(`pb${i}`)}`
    : stash.b(i, `pb${i}`));
  const stashed = [
    ...rq(LA).map((i) => `    ${guardA(i)}{ ${stash.a(i, `pa${i}`)} }`),
    ...rq(LB).map((i) => `    ${guardB(i)}{ ${stashB(i)} }`),
  ].join('\n');
  return {
    rows: `${aRows}
  let ak = (tid % ${TK4}u) * 4u;
  ${bKQuads ? `let kb = (tid % ${TK4}u) * 4u;
  let bn = n0 + tid / ${TK4}u;` : `let kb = tid / ${TN4}u;
  let bn = n0 + (tid % ${TN4}u) * 4u;`}`,
    registers: `${rq(LA).map((i) => `  var pa${i} = vec4<f32>(0.0);`).join('\n')}
${rq(LB).map((i) => `  var pb${i} = vec4<f32>(0.0);`).join('\n')}
  {
    let k = t0 * ${c.tk}u + ak;
${fetchA}
    let kr = kb + t0 * ${c.tk}u;
${fetchB}
  }`,
    step: `    workgroupBarrier();
${stashed}
    workgroupBarrier();
    if (t + 1u < t1) {
      let k = (t + 1u) * ${c.tk}u + ak;
${fetchA}
      let kr = kb + (t + 1u) * ${c.tk}u;
${fetchB}
    }`,
  };
}
