// How an int8 tile's operands reach workgroup memory. Both operands are staged as u32 words of
// four K values, A as [TM][TKQ] words, B as [TN][TKQ]; every K loop (dot4I8Packed, subgroup
// matrices, blocked subgroup matrices) takes a step's words from one of these, so the loops do not
// care how a word is found. A word stage yields one word per iteration; a quad stage four words
// per iteration (rows m..m+3 at one word of K), for inputs where four consecutive rows are
// consecutive bytes (the pixels of an NCHW image row): four loads of whole words and a 4×4 byte
// transpose replace sixteen byte loads.

/** One iteration of `count` per invocation-stride fetches `words` words (WGSL lets w0.. after `load`, which reads `e` and the step `s`). */
export interface OperandStage {
  count: number;
  words: number;
  load: string;
  /** Index in the staged operand of word q of iteration `e`. */
  index: (q: number) => string;
}

/**
 * One word per iteration: `load` ends with `w` (the word of element e = row · TKQ + word); with
 * `rows`, staged rows are `rows.stride` words apart (padded) instead of TKQ.
 */
export const wordStage = (count: number, load: string, rows?: { tkq: number; stride: number }): OperandStage => ({
  count, words: 1, load: `${load}\n      let w0 = w;`,
  index: () => (rows && rows.stride !== rows.tkq ? `(e / ${rows.tkq}u) * ${rows.stride}u + e % ${rows.tkq}u` : 'e'),
});

/** A word's top-bit flip (` ^ 0x80808080u`, uint8 → int8, or '') applied to all four words of a vec4<u32>. */
const flipWords = (flip: string): string => (flip ? ` ^ vec4<u32>(${flip.replace(/^\s*\^\s*/, '')})` : '');

/**
 * Four rows per iteration: `loadA16(m, kq)` (m a multiple of 4) gives the words of rows m..m+3 at
 * word kq; rows past M and words past KQ stay zero (their products are never stored, or B is zero).
 */
export function quadStage(tm: number, tkq: number, flip: string, stride = tkq): OperandStage {
  return {
    count: (tm / 4) * tkq,
    words: 4,
    load: `let m = m0 + (e / ${tkq}u) * 4u;
      let kq = s * ${tkq}u + e % ${tkq}u;
      var v = vec4<u32>();
      if (m < M && kq < KQ) { v = loadA16(m, kq)${flipWords(flip)}; }
      let w0 = v.x; let w1 = v.y; let w2 = v.z; let w3 = v.w;`,
    index: (q) => `((e / ${tkq}u) * 4u + ${q}u) * ${stride}u + e % ${tkq}u`,
  };
}

/**
 * Four words of one row per iteration: `loader(m, kq)` (kq a multiple of 4) gives words kq..kq+3 of
 * row m as a vec4<u32> (16 consecutive bytes of K: one 128-bit load); rows past M and words past
 * KQ stay zero. TKQ must be a multiple of 4 and KQ too (a row's words never straddle the end of K).
 */
export function rowStage(rows: number, tkq: number, loader: string, guard: string, flip = '', stride = tkq): OperandStage {
  const per = tkq / 4;
  return {
    count: rows * per,
    words: 4,
    load: `let r = e / ${per}u;
      let kq = s * ${tkq}u + (e % ${per}u) * 4u;
      var v = vec4<u32>();
      if (${guard}) { v = ${loader}${flipWords(flip)}; }
      let w0 = v.x; let w1 = v.y; let w2 = v.z; let w3 = v.w;`,
    index: (q) => `(e / ${per}u) * ${stride}u + (e % ${per}u) * 4u + ${q}u`,
  };
}

/** WGSL statements storing iteration e's words into `arr` (with `wrap` around each value). */
export function stageStores(st: OperandStage, arr: string, base: string, wrap: (v: string) => string = (v) => v): string {
  return Array.from({ length: st.words }, (_, q) => `${arr}[${base}${st.index(q)}] = ${wrap(`w${q}`)};`).join(' ');
}

/**
 * WGSL transposing four words of four K values × four rows (`c0..c3`: K value j of rows 0..3 in
 * bytes 0..3 of cj) into the words of rows 0..3 (bytes: K values 0..3), as a vec4<u32>.
 */
export function transpose4x4(c: [string, string, string, string]): string {
  const row = (i: number) => c.map((w, j) => `(((${w} >> ${8 * i}u) & 0xffu) << ${8 * j}u)`).join(' | ');
  return `vec4<u32>(${[0, 1, 2, 3].map(row).join(', ')})`;
}

/** The K steps a workgroup walks, as WGSL u32 expressions: [begin, end) (all of K, or one split's slice). */
export interface StepRange {
  begin: string;
  end: string;
}

/** Every step of K. */
export const allSteps = (steps: number): StepRange => ({ begin: '0u', end: `${steps}u` });
