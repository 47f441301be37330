// The models of the dynamic-shapes verification (issue 17), seeded, nothing downloaded:
// ResNet-50 (nnrt's zoo, v1 layout) with a symbolic batch, and BERT-base as torch.onnx exports
// Hugging Face's BertModel with dynamic batch and sequence (bench/cpu-models/bert.ts), fed token
// ids, sentence-pair token types and attention masks padded at the end of most rows.
import { importOnnx } from '../../src/onnx/import/model.js';
import { exportOnnx } from '../../src/onnx/export/model.js';
import { mulberry32 } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { get_model } from '../../src/zoo/vision.js';
import { BERT_BASE, bertOnnx, type BertConfig } from '../cpu-models/bert.js';

/** ResNet-50 v1 exported at batch 1 (image×image inputs), then its input and output batch made symbolic ('batch'). */
export function resnet50DynamicBatch(seed = 1, image = 224): Uint8Array {
  const net = get_model('resnet50_v1').initialize({ seed });
  const { graph } = importOnnx(net.exportOnnx({ dtype: 'float32', shape: [1, 3, image, image] }));
  graph.inputs = graph.inputs.map((v) => (graph.initializers.has(v.name) ? v : { ...v, shape: ['batch', ...v.shape.slice(1)] }));
  // the logits keep the symbolic batch too (else the export writes the traced [1,1000])
  graph.outputs = graph.outputs.map((o) => ({ name: o.name, dtype: 'float32', shape: ['batch', 1000] }));
  return exportOnnx(graph, { opset: 17, producerName: 'nnrt bench/dynamic-shapes' });
}

/** BERT-base (12 layers unless `layers` says fewer), inputs [batch, sequence], outputs last_hidden_state and pooler_output. */
export function bertBaseDynamic(layers = BERT_BASE.layers, seed = 7): Uint8Array {
  const c: BertConfig = { ...BERT_BASE, layers };
  return bertOnnx(c, seed, { dynamic: true });
}

/**
 * How many real tokens row `r` of a batch×seq batch holds: row 0 all (a lone row loses a quarter),
 * row r ≥ 1 loses r/(2·batch) of the sequence, so most rows end in padding of different lengths.
 */
export function realTokens(r: number, batch: number, seq: number): number {
  if (batch === 1) return seq - Math.floor(seq / 4);
  return seq - Math.floor((seq * r) / (2 * batch));
}

/**
 * A tokenizer's output for a batch of sentence pairs: ids in [1000, vocab) for real tokens ([PAD]
 * = 0 after them), token types 0 for the first half of the real tokens and 1 for the rest, the
 * attention mask 1 on real tokens and 0 on padding.
 */
export function bertFeeds(batch: number, seq: number, seed: number, vocab = BERT_BASE.vocab): Record<string, Tensor> {
  const rand = mulberry32(seed);
  const ids = new BigInt64Array(batch * seq);
  const types = new BigInt64Array(batch * seq);
  const mask = new BigInt64Array(batch * seq);
  for (let r = 0; r < batch; r++) {
    const real = realTokens(r, batch, seq);
    for (let j = 0; j < real; j++) {
      const at = r * seq + j;
      ids[at] = BigInt(1000 + Math.floor(rand() * (vocab - 1000)));
      types[at] = j < real / 2 ? 0n : 1n;
      mask[at] = 1n;
    }
  }
  const shape = [batch, seq];
  return { input_ids: new Tensor('int64', shape, ids), attention_mask: new Tensor('int64', shape, mask), token_type_ids: new Tensor('int64', shape, types) };
}
