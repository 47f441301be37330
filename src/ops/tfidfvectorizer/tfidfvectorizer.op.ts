import { ShapeError, UnsupportedError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';

// Counts, for each row of integer tokens, how often each n-gram of a pool occurs, and weighs the
// counts (TF: counts; IDF: weight where present; TFIDF: weight × count). The pool lists the 1-grams,
// then the 2-grams, …: ngram_counts[i] is where the (i+1)-grams start. ngram_indexes[k] is the
// output column of the pool's k-th n-gram. Only sizes in [min_gram_length, max_gram_length] count;
// n-grams may skip up to max_skip_count tokens between items (the same gap throughout).
// X [C] → Y [max(ngram_indexes) + 1];  X [N, C] → Y [N, max(ngram_indexes) + 1] (float32).
export const TfIdfVectorizer = defineOp({
  type: 'TfIdfVectorizer',
  domain: '',
  attrs: {
    max_gram_length: attr.int(),
    max_skip_count: attr.int(),
    min_gram_length: attr.int(),
    mode: attr.string<'TF' | 'IDF' | 'TFIDF'>(undefined, ['TF', 'IDF', 'TFIDF']),
    ngram_counts: attr.ints(),
    ngram_indexes: attr.ints(),
    pool_int64s: attr.ints([]),
    pool_strings: attr.strings([]),
    weights: attr.floats([]),
  },
  inputs: [1, 1],
  outputs: [1, 1],
  dtypes: ['int32', 'int64'],
  infer: ([x], a) => {
    if (a.pool_strings.length) throw new UnsupportedError('pool_strings: string tensors are not supported; nnrt takes integer tokens (pool_int64s)');
    if (x!.shape.length < 1 || x!.shape.length > 2) throw new ShapeError(`X must be [C] or [N, C], got [${x!.shape.join(',')}]`);
    if (a.min_gram_length < 1 || a.max_gram_length < a.min_gram_length) {
      throw new ShapeError(`gram lengths must satisfy 1 ≤ min_gram_length ≤ max_gram_length, got ${a.min_gram_length}, ${a.max_gram_length}`);
    }
    if (a.max_skip_count < 0) throw new ShapeError(`max_skip_count must be ≥ 0, got ${a.max_skip_count}`);
    if (a.ngram_indexes.some((i) => i < 0)) throw new ShapeError('ngram_indexes must be ≥ 0');
    const width = Math.max(-1, ...a.ngram_indexes) + 1;
    if (a.weights.length && a.weights.length < width) throw new ShapeError(`weights holds ${a.weights.length} values for ${width} output columns`);
    return [{ dtype: 'float32', shape: x!.shape.length === 1 ? [width] : [x!.shape[0]!, width] }];
  },
});
