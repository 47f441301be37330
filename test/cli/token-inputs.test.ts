// Integer inputs made valid by what the graph does with them: a small text model (embedding Gather
// behind a Cast, a position table, an attention mask) written with the IR builder and ONNX writer.
// `nnrt run --random-inputs` and `nnrt bench` must feed token ids below the table's 7 rows (the old
// 0–9 draws indexed out of range), and their outputs must be onnxruntime-node's on the same inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchReport } from '../../src/bench/types.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { readTensorPb } from '../../src/node/files.js';
import { exportOnnx } from '../../src/onnx/export/model.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { encodeTensorProto } from '../../src/onnx/tensor-write.js';
import { inputValues, sampleInputs } from '../../src/runtime/sample-inputs.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'nnrt-token-inputs-'));
const VOCAB = 7;
const SEQ = 8;

function textModel(): Uint8Array {
  const b = new GraphBuilder('tiny_text', 17);
  const ids = b.input('input_ids', 'int64', [2, SEQ]);
  const mask = b.input('attention_mask', 'int64', [2, SEQ]);
  const pos = b.input('position_ids', 'int64', [2, SEQ]);
  const word = b.constant('word_embeddings', randomTensor([VOCAB, 4], 3));
  const posTable = b.constant('position_embeddings', randomTensor([SEQ, 4], 4));
  const e = b.op('Gather', [word, b.op('Cast', [ids], { to: 6 })]); // indices through an int32 Cast
  const p = b.op('Gather', [posTable, pos]);
  const m = b.op('Unsqueeze', [b.op('Cast', [mask], { to: 1 }), b.constant('axes', Tensor.fromNumeric('int64', [1], [-1]))]);
  b.graph.outputs.push({ name: b.op('Mul', [b.op('Add', [e, p]), m], {}, 'y') });
  return exportOnnx(b.graph, { opset: 17 });
}

const modelFile = join(dir, 'tiny_text.onnx');
writeFileSync(modelFile, textModel());
const graph = () => importOnnx(readFileSync(modelFile)).graph;

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('token ids stay below the embedding rows (through a Cast), masks are ones, positions count 0..n-1', () => {
  const g = graph();
  const input = (name: string) => g.inputs.find((v) => v.name === name)!;
  assert.deepEqual(inputValues(g, input('input_ids')), { kind: 'indices', below: VOCAB, table: 'word_embeddings' });
  assert.deepEqual(inputValues(g, input('attention_mask')), { kind: 'ones' });
  assert.deepEqual(inputValues(g, input('position_ids')), { kind: 'positions' });
  const feeds = sampleInputs(g, 1);
  const ids = feeds.input_ids!.toNumbers();
  assert.equal(feeds.input_ids!.dtype, 'int64');
  assert.ok(ids.every((v) => Number.isInteger(v) && v >= 0 && v < VOCAB), `ids ${ids}`);
  assert.ok(new Set(ids).size >= 4, 'spread over the vocabulary, not one value');
  assert.ok(feeds.attention_mask!.toNumbers().every((v) => v === 1));
  assert.deepEqual(feeds.position_ids!.toNumbers(), [...Array(2)].flatMap(() => [...Array(SEQ).keys()]));
  assert.deepEqual(sampleInputs(g, 1).input_ids!.toNumbers(), ids, 'same seed, same ids');
});

test('run --random-inputs: no out-of-range Gather index; outputs as onnxruntime computes them', async () => {
  const out = join(dir, 'run-out');
  const r = cli(['run', modelFile, '--random-inputs', '--output', out]);
  assert.equal(r.code, 0, r.err);
  const want = (await runOrt(readFileSync(modelFile), sampleInputs(graph(), 1))).y!;
  const got = readTensorPb(join(out, 'output_0.pb')).tensor;
  const c = compareTensors(got, want, { atol: 1e-6, rtol: 1e-6 });
  assert.ok(c.pass, c.reason ?? `max |diff| ${c.maxAbsError}`);
});

test('run --random-inputs with --input: the given tensor is used, the rest sampled', async () => {
  const ids = Tensor.fromNumeric('int64', [2, SEQ], [...Array(2 * SEQ)].map((_, i) => (i * 5) % VOCAB));
  const file = join(dir, 'ids.pb');
  writeFileSync(file, encodeTensorProto('input_ids', ids));
  const out = join(dir, 'run-given');
  const r = cli(['run', modelFile, '--random-inputs', '--input', `input_ids=${file}`, '--output', out]);
  assert.equal(r.code, 0, r.err);
  const want = (await runOrt(readFileSync(modelFile), { ...sampleInputs(graph(), 1), input_ids: ids })).y!;
  const c = compareTensors(readTensorPb(join(out, 'output_0.pb')).tensor, want, { atol: 1e-6, rtol: 1e-6 });
  assert.ok(c.pass, c.reason ?? `max |diff| ${c.maxAbsError}`);
});

test('bench: int64 inputs made valid; nnrt and onnxruntime-node agree; --input names a missing input: usage error', () => {
  const json = join(dir, 'bench.json');
  const r = cli(['bench', modelFile, '--device', 'cpu', '--peers', 'ort-node', '--runs', '1', '--warmup', '0', '--json', json, '-q']);
  assert.equal(r.code, 0, r.err);
  const m = (JSON.parse(readFileSync(json, 'utf8')) as BenchReport).models[0]!;
  assert.deepEqual(m.inputs.map((i) => i.dtype), ['int64', 'int64', 'int64']);
  assert.deepEqual(m.rows.map((x) => [x.id, x.status, x.agree]), [['nnrt-cpu', 'ok', true], ['nnrt-cpu-engine', 'ok', true], ['ort-node', 'ok', true]]);
  const bad = cli(['bench', modelFile, '--device', 'cpu', '--no-peers', '--input', `token_ids=${join(dir, 'ids.pb')}`, '--runs', '1', '-q']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--input token_ids: the model has no input 'token_ids'/);
});
