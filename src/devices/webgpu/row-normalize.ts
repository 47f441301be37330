// The row-normalization shader behind LayerNormalization, InstanceNormalization and the RMS and
// group norms: one workgroup per row of `len` contiguous elements; statistics in f32 whatever the
// storage type (mean first, then the centred sum of squares: two passes, no cancellation).
// y = (x − mean) · invStd · scale + bias, where scale and bias are indexed per element of the row,
// per row (a channel: row % count), per block of the row (GroupNormalization's channels), or as
// one value. The row may first be summed with a skip input and a bias (the com.microsoft Skip*
// norms), that sum written out too.
import type { DType } from '../../tensor/dtype.js';
import { narrow } from './elementwise.js';
import type { BufferRef, Program } from './program.js';
import { linearDispatch, storage, Uniforms } from './shader.js';

const WG = 64;

/** How scale or bias is indexed: per element of the row, per row modulo `count`, or one value. */
export type AffineIndex =
  | { per: 'element' }
  | { per: 'row'; count: number }
  | { per: 'one' }
  /** Element i of row r reads (r % groups) · blocks + i / blockLen: channels of a channel group. */
  | { per: 'block'; groups: number; blocks: number; blockLen: number };

/** x = X + skip + bias before normalizing: skip repeats every `skipRows` rows, bias is per element. */
export interface RowAddends {
  skip: number;
  skipRows: number;
  bias?: number;
}

export interface RowNormSpec {
  rows: number;
  len: number;
  epsilon: number;
  /** false: RMS normalization (no mean subtracted; statistics are Σx²/len). */
  centred: boolean;
  scale?: { input: number; index: AffineIndex };
  bias?: { input: number; index: AffineIndex };
  outDtype: DType;
  /** Output indices (after Y, output 0) of each row's mean, 1/√(var + ε), and the summed input. */
  mean?: number;
  invStd?: number;
  sum?: number;
  add?: RowAddends;
  /** Where X is read from (default input 0; EmbedLayerNormalization's embedding sum is an output). */
  x?: BufferRef;
}

/** Scale or bias of `count` elements over rows of `len`: per element, one value, or neither (undefined). */
export function elementOrOne(count: number, len: number): AffineIndex | undefined {
  return count === len ? { per: 'element' } : count === 1 ? { per: 'one' } : undefined;
}

function indexExpr(index: AffineIndex, u: Uniforms, field: string): string {
  switch (index.per) {
    case 'element': return 'i';
    case 'row': return `row % ${u.at(field)}`;
    case 'one': return '0u';
    case 'block': return `(row % ${u.at(field, 0)}) * ${u.at(field, 1)} + i / ${u.at(field, 2)}`;
  }
}

export function rowNormProgram(spec: RowNormSpec): Program {
  const u = new Uniforms().add('dims', 'u32', [spec.rows, spec.len]).add('eps', 'f32', spec.epsilon);
  const affineUniform = (index: AffineIndex | undefined, field: string) => {
    if (index?.per === 'row') u.add(field, 'u32', index.count);
    if (index?.per === 'block') u.add(field, 'u32', [index.groups, index.blocks, index.blockLen]);
  };
  affineUniform(spec.scale?.index, 'sc');
  affineUniform(spec.bias?.index, 'bc');
  if (spec.add) u.add('skipRows', 'u32', spec.add.skipRows);
  const [ROWS, LEN] = [u.at('dims', 0), u.at('dims', 1)];
  const bindings: BufferRef[] = [spec.x ?? { input: 0 }];
  let b = 1;
  let decl = storage(0, 'X', 'f32', 'read');
  const input = (name: string, index: number) => { decl += storage(b++, name, 'f32', 'read'); bindings.push({ input: index }); };
  if (spec.scale) input('S', spec.scale.input);
  if (spec.bias) input('B', spec.bias.input);
  if (spec.add) input('K', spec.add.skip);
  if (spec.add?.bias !== undefined) input('PB', spec.add.bias);
  const output = (name: string, index: number | undefined) => {
    if (index === undefined) return;
    decl += storage(b++, name, 'f32', 'read_write');
    bindings.push({ output: index });
  };
  output('Y', 0);
  output('M', spec.mean);
  output('R', spec.invStd);
  output('SUM', spec.sum);
  const load = spec.add
    ? `X[base + i] + K[(row % ${u.at('skipRows')}) * ${LEN} + i]${spec.add.bias !== undefined ? ' + PB[i]' : ''}`
    : 'X[base + i]';
  const scaled = spec.scale ? ` * S[${indexExpr(spec.scale.index, u, 'sc')}]` : '';
  const biased = spec.bias ? ` + B[${indexExpr(spec.bias.index, u, 'bc')}]` : '';
  const centre = spec.centred
    ? `var t = 0.0;
  for (var i = lidx; live && i < ${LEN}; i = i + ${WG}u) { t = t + load(row, base, i); }
  let mean = reduceSum(lidx, t) / f32(${LEN});`
    : 'let mean = 0.0;';
  const source = () => `${decl}${u.declare(b)}
var<workgroup> part: array<f32, ${WG}>;

fn load(row: u32, base: u32, i: u32) -> f32 { return ${load}; }

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
  for (var i = lidx; live && i < ${LEN}; i = i + ${WG}u) { let d = load(row, base, i) - mean; q = q + d * d; }
  let inv = inverseSqrt(reduceSum(lidx, q) / f32(${LEN}) + ${u.at('eps')});
  for (var i = lidx; live && i < ${LEN}; i = i + ${WG}u) {
    let x = load(row, base, i);
    let v = (x - mean) * inv${scaled}${biased};
    Y[base + i] = ${narrow('v', spec.outDtype)};${spec.sum !== undefined ? `\n    SUM[base + i] = ${narrow('x', spec.outDtype)};` : ''}
  }
  if (live && lidx == 0u) {${spec.mean !== undefined ? '\n    M[row] = mean;' : ''}${spec.invStd !== undefined ? '\n    R[row] = inv;' : ''}
  }
}
`;
  const code = (x?: { index: AffineIndex }) => x?.index.per ?? '-';
  return {
    // the key need not name spec.x: which buffer X is does not change the WGSL
    key: `rownorm:${spec.outDtype}:${spec.centred}:${code(spec.scale)}:${code(spec.bias)}:${[spec.mean, spec.invStd, spec.sum].join(',')}:`
      + `${spec.add ? `add${spec.add.bias !== undefined ? '+b' : ''}` : ''}`,
    source, bindings, uniforms: u, workgroups: linearDispatch(spec.rows, 1),
  };
}
