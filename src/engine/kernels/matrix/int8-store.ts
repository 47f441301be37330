// Where an int8 tile's results go once each invocation holds its 4×4 block of int32 sums (`acc`,
// rows m0r.., columns n0c..): through `finish` (int8-epilogue.ts) into the output as bytes (four to
// a word along a row, `row4`, or down a column, `col4`, or as i32 to scratch that a second program
// packs), as floats (requantized integers or dequantized values, merged siblings' parts), or as
// int32 sums. The K loop's program and the split-K finishing program write through the same code.
import { declareTensor, isByteStorage, loaders, type Storage } from '../../../devices/webgpu/storage.js';
import { f32Literal } from '../access.js';
import { grid } from '../matmul-tile.js';
import type { EngineBinding, EngineProgram } from '../tactic.js';
import type { DeviceCaps } from '../../../devices/webgpu/caps.js';
import type { Int8Problem } from './int8-tile.js';

/**
 * A tensor of the output's shape and element order added before the activation: floats, or
 * (`quant`) quantized integers (a float tensor holding them, or bytes) dequantized as they are read.
 */
export interface Int8Residual {
  tensor: string;
  storage: Storage;
  quant?: { scale: number; zeroPoint: number };
}

/** WGSL: the residual's float at flat index `i`. */
function residualAt(r: Int8Residual, i: string): string {
  return r.quant ? `((load_rs(${i}) - ${f32Literal(r.quant.zeroPoint)}) * ${f32Literal(r.quant.scale)})` : `load_rs(${i})`;
}

/** WGSL: the residual's float in byte `at` of its storage word `word` (byte storage). */
function residualByte(r: Int8Residual, word: string, at: number): string {
  const v = r.storage === 'i8x4' ? `f32(bitcast<i32>(${word} << ${(3 - at) * 8}u) >> 24u)` : `f32((${word} >> ${8 * at}u) & 0xffu)`;
  return r.quant ? `((${v} - ${f32Literal(r.quant.zeroPoint)}) * ${f32Literal(r.quant.scale)})` : v;
}

/** The output's results go to scratch as i32 and a second program packs them into bytes. */
export const packsThroughScratch = (p: Int8Problem): boolean => !!p.y && !p.yFloat && p.store === 'scratch';

/**
 * A float output whose rows' four columns are consecutive and aligned (`row4`; merged parts cut at
 * multiples of 4) is stored a vector of four at a time.
 */
const vecFloat = (p: Int8Problem): boolean =>
  p.store === 'row4' && (!p.y || !!p.yFloat) && !p.intOut && (!p.parts || p.parts.every((q) => q.start % 4 === 0 && q.n % 4 === 0));

/**
 * Declarations of the output (and the residual it adds) from binding `base` on, and their bindings;
 * `scratch` is the scratch region a packed output's i32 results go to.
 */
export function outputDecls(p: Int8Problem, base: number, scratch: number): { wgsl: string; bindings: EngineBinding[] } {
  const bytesOut = !!p.y && !p.yFloat;
  if (p.parts && (bytesOut || p.intOut || p.residual || p.groups !== 1)) throw new Error('int8 tile: parts are for one float product');
  const float = vecFloat(p) ? `vec4<${p.halfOut ? 'f16' : 'f32'}>` : p.halfOut ? 'f16' : 'f32';
  const out = p.parts
    ? p.parts.map((_, k) => `@group(0) @binding(${base + k}) var<storage, read_write> yf${k}: array<${float}>;\n`).join('')
    : bytesOut
    ? p.store === 'scratch'
      ? `@group(0) @binding(${base}) var<storage, read_write> res: array<i32>;\n`
      : `@group(0) @binding(${base}) var<storage, read_write> yq: array<u32>;\n`
    : `@group(0) @binding(${base}) var<storage, read_write> yf: array<${p.intOut ? 'i32' : float}>;\n`;
  const outBindings: EngineBinding[] = p.parts ? p.parts.map((q) => ({ tensor: q.tensor })) : [packsThroughScratch(p) ? { scratch } : { tensor: p.output }];
  const residualAt = base + outBindings.length;
  return {
    wgsl: `${out}${p.residual ? declareTensor(residualAt, 'rs', p.residual.storage) + loaders('rs', p.residual.storage) : ''}`,
    bindings: [...outBindings, ...(p.residual ? [{ tensor: p.residual.tensor }] : [])],
  };
}

/**
 * WGSL storing the invocation's block `acc` (`rows` × 4: rows m0r.., columns n0c..) through
 * `finish`. Blocks of one row (the split-K finish) store anything but `col4` words. `residualWord(k)`,
 * where given, is the residual word of output word k (row k for `row4`, column k for `col4`)
 * already loaded (residualPrefetch).
 */
export function storeCode(p: Int8Problem, rows = 4, residualWord?: (k: number) => string): string {
  const rq = Array.from({ length: rows }, (_, i) => i);
  const cq = [0, 1, 2, 3];
  const byte = (v: string, j: number) => `((u32(${v}) & 0xffu) << ${8 * j}u)`;
  // the block's four columns' constants, loaded once (a column past N reads the last one's and is never stored)
  const chans = cq.map((j) => `    let cn${j} = chan(min(n0c + ${j}u, N - 1u));`).join('\n');
  // the epilogue of element (m0r + i, n0c + j), with the residual at the same place (or byte
  // `at` of the residual word `rw…` that holds it)
  const fin = (i: number, j: number, word?: { name: string; at: number }) => {
    const r = !p.residual ? '' : word ? `, ${residualByte(p.residual, word.name, word.at)}` : `, ${residualAt(p.residual, `outIndex(m0r + ${i}u, n0c + ${j}u)`)}`;
    return `finishWith(cn${j}, acc[${i}][${j}]${r})`;
  };
  // a byte residual shares the output's word: one load for four elements
  const wordResidual = !!p.residual && isByteStorage(p.residual.storage);
  const value = (v: string) => (p.halfOut ? `f16(${v})` : p.y ? `f32(${v})` : v);
  if (vecFloat(p)) {
    // four columns a store, all in one part when parts are merged
    const v4 = (i: number) => `vec4<${p.halfOut ? 'f16' : 'f32'}>(${cq.map((j) => value(fin(i, j))).join(', ')})`;
    const put = (i: number) => (!p.parts ? `yf[outIndex(m0r + ${i}u, n0c) / 4u] = v;` : p.parts.map((q, k) => {
      const body = `yf${k}[((m0r + ${i}u) * ${q.n}u + n0c - ${q.start}u) / 4u] = v;`;
      return k === p.parts!.length - 1 ? `{ ${body} }` : `if (n0c < ${q.start + q.n}u) { ${body} } else `;
    }).join(''));
    return `${chans}\n${rq.map((i) => `    if (m0r + ${i}u < M && n0c < N) { let v = ${v4(i)}; ${put(i)} }`).join('\n')}`;
  }
  if (p.parts) {
    // the column picks the part: M rows of its n columns
    const put = (i: number) => p.parts!.map((q, k) => {
      const body = `yf${k}[(m0r + ${i}u) * ${q.n}u + c - ${q.start}u] = ${p.halfOut ? 'f16(v)' : 'v'};`;
      return k === p.parts!.length - 1 ? `{ ${body} }` : `if (c < ${q.start + q.n}u) { ${body} } else `;
    }).join('');
    return `${chans}\n${rq.flatMap((i) => cq.map((j) => `    if (m0r + ${i}u < M && n0c + ${j}u < N) { let c = n0c + ${j}u; let v = ${fin(i, j)}; ${put(i)} }`)).join('\n')}`;
  }
  if (!p.y || p.yFloat) {
    return `${chans}\n${rq.flatMap((i) => cq.map((j) => `    if (m0r + ${i}u < M && n0c + ${j}u < N) { yf[outIndex(m0r + ${i}u, n0c + ${j}u)] = ${value(fin(i, j))}; }`)).join('\n')}`;
  }
  if (p.store === 'scratch') {
    return `${chans}\n${rq.flatMap((i) => cq.map((j) => `    if (m0r + ${i}u < M && n0c + ${j}u < N) { res[outIndex(m0r + ${i}u, n0c + ${j}u)] = ${fin(i, j)}; }`)).join('\n')}`;
  }
  if (p.store === 'row4') {
    // N % 4 == 0: a row's four columns are one word
    return `${chans}\n${rq.map((i) => {
      const at = `outIndex(m0r + ${i}u, n0c) / 4u`;
      const rw = wordResidual ? `let rw = ${residualWord ? residualWord(i) : `rs[${at}]`}; ` : '';
      return `    if (m0r + ${i}u < M && n0c < N) { ${rw}yq[${at}] = ${cq.map((j) => byte(fin(i, j, wordResidual ? { name: 'rw', at: j } : undefined), j)).join(' | ')}; }`;
    }).join('\n')}`;
  }
  // M % 4 == 0 and a column's rows m..m+3 consecutive: one word per column
  if (rows !== 4) throw new Error('int8 store: col4 words take blocks of four rows');
  return `${chans}\n${cq.map((j) => {
    const at = `outIndex(m0r, n0c + ${j}u) / 4u`;
    const rw = wordResidual ? `let rw = ${residualWord ? residualWord(j) : `rs[${at}]`}; ` : '';
    return `    if (m0r < M && n0c + ${j}u < N) { ${rw}yq[${at}] = ${rq.map((i) => byte(fin(i, j, wordResidual ? { name: 'rw', at: i } : undefined), i)).join(' | ')}; }`;
  }).join('\n')}`;
}

/**
 * WGSL loading, before the K loop, the residual words the invocation's blocks of `passes` passes
 * (rows m0 + pass · passRows + ty·4.., columns n0 + tx·4..) will add, into `rpre` (four a pass), so
 * that they arrive while the K loop runs; undefined where the residual is not bytes read a word
 * per four outputs. The stores then take word k of pass r from `rpre[4r + k]`.
 */
export function residualPrefetch(p: Int8Problem, passes: number, passRows: number): string | undefined {
  if (!p.residual || !isByteStorage(p.residual.storage) || !p.y || p.yFloat || (p.store !== 'row4' && p.store !== 'col4')) return undefined;
  const loads = Array.from({ length: passes }, (_, r) => [0, 1, 2, 3].map((k) => {
    const m = `m0 + ${r * passRows}u + ty * 4u${p.store === 'row4' ? ` + ${k}u` : ''}`;
    const n = p.store === 'row4' ? 'n0c' : `n0c + ${k}u`;
    return `    if (${m} < M && ${n} < N) { rpre[${4 * r + k}] = rs[outIndex(${m}, ${n}) / 4u]; }`;
  })).flat();
  return `  var rpre: array<u32, ${4 * passes}>;
  {
    let n0c = n0 + tx * 4u;
${loads.join('\n')}
  }`;
}

/** Packs i32 results (already saturated) from scratch region `scratch` into int8 words, four elements per invocation. */
export function packProgram(output: string, count: number, caps: DeviceCaps, scratch = 0): EngineProgram {
  const words = Math.ceil(count / 4);
  const [gx, gy] = grid(Math.ceil(words / 256), caps) ?? [0, 0];
  if (gx === 0) throw new Error('int8 pack exceeds the dispatch limit');
  const wgsl = `@group(0) @binding(0) var<storage, read_write> res: array<i32>;
@group(0) @binding(1) var<storage, read_write> yq: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let w = (wid.y * ${gx}u + wid.x) * 256u + lid;
  if (w >= ${words}u) { return; }
  var v = 0u;
  for (var j = 0u; j < 4u; j = j + 1u) {
    let e = w * 4u + j;
    if (e < ${count}u) { v = v | ((u32(res[e]) & 0xffu) << (8u * j)); }
  }
  yq[w] = v;
}
`;
  return { wgsl, bindings: [{ scratch }, { tensor: output }], workgroups: [gx, gy, 1] };
}
