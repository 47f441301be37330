// The row-normalization shader behind LayerNormalization, InstanceNormalization and the RMS and
// group norms: one workgroup per row of `len` contiguous elements; statistics in f32 whatever the
// storage type (mean first, then the centred sum of squares: two passes, no cancellation).
// y = (x − mean) · invStd · scale + bias, where scale and bias are indexed per element of the row,
// per row (a channel: row % count), or as one value.
import type { DType } from '../../tensor/dtype.js';
import { narrow } from './elementwise.js';
import type { BufferRef, Program } from './program.js';
import { linearDispatch, storage, Uniforms } from './shader.js';

const WG = 64;

/** How scale or bias is indexed: per element of the row, per row modulo `count`, or one value. */
export type AffineIndex = { per: 'element' } | { per: 'row'; count: number } | { per: 'one' };

export interface RowNormSpec {
  rows: number;
  len: number;
  epsilon: number;
  /** false: RMS normalization (no mean subtracted; statistics are Σx²/len). */
  centred: boolean;
  scale?: { input: number; index: AffineIndex };
  bias?: { input: number; index: AffineIndex };
  outDtype: DType;
  /** Also write each row's mean (centred only) and 1/√(var + ε), as outputs 1 and 2. */
  stats: 0 | 1 | 2;
}

function indexExpr(index: AffineIndex, u: Uniforms, field: string): string {
  switch (index.per) {
    case 'element': return 'i';
    case 'row': return `row % ${u.at(field)}`;
    case 'one': return '0u';
  }
}

export function rowNormProgram(spec: RowNormSpec): Program {
  const u = new Uniforms().add('dims', 'u32', [spec.rows, spec.len]).add('eps', 'f32', spec.epsilon);
  if (spec.scale?.index.per === 'row') u.add('sc', 'u32', spec.scale.index.count);
  if (spec.bias?.index.per === 'row') u.add('bc', 'u32', spec.bias.index.count);
  const [ROWS, LEN] = [u.at('dims', 0), u.at('dims', 1)];
  const bindings: BufferRef[] = [{ input: 0 }];
  let b = 1;
  let decl = storage(0, 'X', 'f32', 'read');
  if (spec.scale) { decl += storage(b++, 'S', 'f32', 'read'); bindings.push({ input: spec.scale.input }); }
  if (spec.bias) { decl += storage(b++, 'B', 'f32', 'read'); bindings.push({ input: spec.bias.input }); }
  const outNames = ['Y', 'M', 'R'].slice(0, 1 + spec.stats);
  outNames.forEach((name, i) => { decl += storage(b++, name, 'f32', 'read_write'); bindings.push({ output: i }); });
  const scaled = spec.scale ? ` * S[${indexExpr(spec.scale.index, u, 'sc')}]` : '';
  const biased = spec.bias ? ` + B[${indexExpr(spec.bias.index, u, 'bc')}]` : '';
  const centre = spec.centred
    ? `var t = 0.0;
  for (var i = lidx; live && i < ${LEN}; i = i + ${WG}u) { t = t + X[base + i]; }
  let mean = reduceSum(lidx, t) / f32(${LEN});`
    : 'let mean = 0.0;';
  const source = () => `${decl}${u.declare(b)}
var<workgroup> part: array<f32, ${WG}>;

fn reduceSum(lidx: u32, v: f32) -> f32 {
  part[lidx] = v;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lidx < s) { part[lidx] = part[lidx] + part[lidx + s]; }
    workgroupBarrier();
  }
  let total = part[0];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lidx: u32) {
  let row = wid.y * nwg.x + wid.x;
  let live = row < ${ROWS};
  let base = row * ${LEN};
  ${centre}
  var q = 0.0;
  for (var i = lidx; live && i < ${LEN}; i = i + ${WG}u) { let d = X[base + i] - mean; q = q + d * d; }
  let inv = inverseSqrt(reduceSum(lidx, q) / f32(${LEN}) + ${u.at('eps')});
  for (var i = lidx; live && i < ${LEN}; i = i + ${WG}u) {
    let v = (X[base + i] - mean) * inv${scaled}${biased};
    Y[base + i] = ${narrow('v', spec.outDtype)};
  }
  if (live && lidx == 0u) {${spec.stats >= 1 ? '\n    M[row] = mean;' : ''}${spec.stats >= 2 ? '\n    R[row] = inv;' : ''}
  }
}
`;
  const code = (x?: { index: AffineIndex }) => x?.index.per ?? '-';
  return {
    key: `rownorm:${spec.outDtype}:${spec.centred}:${code(spec.scale)}:${code(spec.bias)}:${spec.stats}`,
    source, bindings, uniforms: u, workgroups: linearDispatch(spec.rows, 1),
  };
}
