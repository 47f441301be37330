import { ShapeError } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import type { TfIdfVectorizer } from './tfidfvectorizer.op.js';

type Attrs = Parameters<CpuKernel<typeof TfIdfVectorizer.attrs>>[1];

/** The pool's n-grams of the counted sizes, keyed by their tokens, → output column. */
function poolColumns(a: Attrs): Map<string, number> {
  const pool = a.pool_int64s;
  const columns = new Map<string, number>();
  let k = 0; // the n-gram's position in the pool
  a.ngram_counts.forEach((start, i) => {
    const n = i + 1;
    const end = i + 1 < a.ngram_counts.length ? a.ngram_counts[i + 1]! : pool.length;
    if (start < 0 || end > pool.length || end < start || (end - start) % n !== 0) {
      throw new ShapeError(`ngram_counts [${a.ngram_counts.join(',')}] does not split a pool of ${pool.length} into whole ${n}-grams`);
    }
    for (let p = start; p < end; p += n, k++) {
      if (n < a.min_gram_length || n > a.max_gram_length) continue;
      const column = a.ngram_indexes[k];
      if (column === undefined) throw new ShapeError(`ngram_indexes has ${a.ngram_indexes.length} entries; the pool holds more n-grams`);
      columns.set(pool.slice(p, p + n).join(','), column); // a repeated n-gram keeps its last column
    }
  });
  return columns;
}

export const tfIdfVectorizerCpu: CpuKernel<typeof TfIdfVectorizer.attrs> = ([x], a, [out]) => {
  const columns = poolColumns(a);
  const width = out!.shape[out!.shape.length - 1]!;
  const rows = x!.rank === 1 ? 1 : x!.shape[0]!;
  const C = x!.shape[x!.rank - 1]!;
  const v = x!.numeric();
  const counts = new Float64Array(rows * width);
  for (let row = 0; row < rows; row++) {
    for (let n = a.min_gram_length; n <= a.max_gram_length; n++) {
      // a 1-gram has no gaps: count it once, not once per skip distance
      const maxGap = n === 1 ? 1 : a.max_skip_count + 1;
      for (let gap = 1; gap <= maxGap; gap++) {
        for (let s = 0; s + gap * (n - 1) < C; s++) {
          const items: number[] = [];
          for (let i = 0; i < n; i++) items.push(v[row * C + s + i * gap]!);
          const column = columns.get(items.join(','));
          if (column !== undefined) counts[row * width + column]! += 1;
        }
      }
    }
  }
  const w = a.weights;
  const y = counts.map((f, i) => {
    const c = i % width;
    if (a.mode === 'TF') return f;
    if (a.mode === 'IDF') return f > 0 ? (w.length ? w[c]! : 1) : 0;
    return w.length ? w[c]! * f : f;
  });
  return [Tensor.fromNumeric('float32', out!.shape, y)];
};
