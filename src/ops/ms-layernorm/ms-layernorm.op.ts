import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { MS_DOMAIN } from '../ms-domain.js';
import { defineOp, type InferInput, type TensorType } from '../op.js';

// onnxruntime's layer-norm fusions. Over the last dim (hidden size H) of s:
//   LayerNorm: y = (s − mean) / √(var + ε) · gamma + beta
//   "Simplified" (RMSNorm): y = s / √(mean(s²) + ε) · gamma
// Skip variants normalize s = input + skip (+ bias); skip is input's shape, or [1, S, H] / [S, H]
// broadcast over the batch. Optional outputs: mean and inv_std_var (float32, input's shape with
// the last dim 1) and input_skip_bias_sum (s).

function vector(t: InferInput | undefined, name: string, h: number): void {
  if (t && (t.shape.length !== 1 || t.shape[0] !== h)) throw new ShapeError(`${name} must be [${h}], got [${t.shape.join(',')}]`);
}

function skipTypes(ins: readonly (InferInput | undefined)[], outputCount: number, beta: boolean): TensorType[] {
  const [x, skip, gamma] = ins;
  if (x!.shape.length !== 2 && x!.shape.length !== 3) throw new ShapeError(`input must be [batch, seq, hidden] or [tokens, hidden], got [${x!.shape.join(',')}]`);
  const h = x!.shape.at(-1)!;
  const tail = x!.shape.slice(-2).join(',');
  const ok = skip!.shape.join(',') === x!.shape.join(',') || skip!.shape.join(',') === tail || skip!.shape.join(',') === `1,${tail}`;
  if (!ok) throw new ShapeError(`skip must be [${x!.shape.join(',')}], [1,${tail}] or [${tail}], got [${skip!.shape.join(',')}]`);
  vector(gamma, 'gamma', h);
  vector(ins[3], beta ? 'beta' : 'bias', h);
  vector(ins[4], 'bias', h);
  const stat = [...x!.shape.slice(0, -1), 1];
  const out: TensorType[] = [{ dtype: x!.dtype, shape: [...x!.shape] }];
  if (outputCount > 1) out.push({ dtype: 'float32', shape: [...stat] });
  if (outputCount > 2) out.push({ dtype: 'float32', shape: [...stat] });
  if (outputCount > 3) out.push({ dtype: x!.dtype, shape: [...x!.shape] });
  return out;
}

const FLOATS = ['float32', 'float16'] as const;

export const SkipLayerNormalization = defineOp({
  type: 'SkipLayerNormalization',
  domain: MS_DOMAIN,
  attrs: { epsilon: attr.float(1e-12) },
  inputs: [3, 5],
  outputs: [1, 4],
  dtypes: FLOATS,
  infer: (ins, _a, n) => skipTypes(ins, n, true),
});

export const SkipSimplifiedLayerNormalization = defineOp({
  type: 'SkipSimplifiedLayerNormalization',
  domain: MS_DOMAIN,
  attrs: { epsilon: attr.float(1e-12) },
  inputs: [3, 4],
  outputs: [1, 4],
  dtypes: FLOATS,
  infer: (ins, _a, n) => skipTypes(ins, n, false),
});

// SimplifiedLayerNormalization (RMSNorm over dims [axis, rank)): Y = X / √(mean(X²) + ε) · scale;
// output 1 is inv_std_var. onnxruntime registers it in the ai.onnx domain (its transformer
// optimizer writes it there), not in com.microsoft.
export const SimplifiedLayerNormalization = defineOp({
  type: 'SimplifiedLayerNormalization',
  domain: '',
  attrs: { axis: attr.int(-1), epsilon: attr.float(1e-5), stash_type: attr.int(1) },
  inputs: [2, 2],
  outputs: [1, 2],
  dtypes: FLOATS,
  infer: ([x, scale], a, outputCount) => {
    const axis = normalizeAxis(a.axis, x!.shape.length);
    const normalized = x!.shape.slice(axis);
    if (scale!.shape.join(',') !== normalized.join(',') && scale!.shape.join(',') !== String(normalized.reduce((p, q) => p * q, 1))) {
      throw new ShapeError(`scale must be [${normalized.join(',')}] (the normalized dims), got [${scale!.shape.join(',')}]`);
    }
    const stat = x!.shape.map((d, i) => (i < axis ? d : 1));
    const out: TensorType[] = [{ dtype: x!.dtype, shape: [...x!.shape] }];
    for (let i = 1; i < outputCount; i++) out.push({ dtype: 'float32', shape: [...stat] });
    return out;
  },
});
