// The BERT export of the dynamic-shapes benchmark (bench/cpu-models/bert.ts with `dynamic`, fed by
// bench/dynamic-shapes/models.ts) in small: symbolic batch and sequence, masks padded at the end of
// rows. onnxruntime runs it at several shapes; nnrt's CPU engine agrees at each, and on WebGPU one
// profile's single build agrees at its opt and max and refuses a shape outside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/node/webgpu.js';
import { bertOnnx, type BertConfig } from '../../bench/cpu-models/bert.js';
import { bertFeeds, realTokens } from '../../bench/dynamic-shapes/models.js';
import { ProfileError } from '../../src/errors.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;
const TINY: BertConfig = { layers: 1, hidden: 32, heads: 4, intermediate: 64, seq: 0, vocab: 1100, maxPositions: 64 };
const model = bertOnnx(TINY, 3, { dynamic: true });
const SHAPES: [number, number][] = [[1, 4], [3, 24], [2, 9]];

function assertAgrees(got: Record<string, Tensor>, want: Record<string, Tensor>, what: string): void {
  assert.deepEqual(Object.keys(got).sort(), ['last_hidden_state', 'pooler_output'], `${what}: outputs`);
  for (const [name, w] of Object.entries(want)) {
    assert.deepEqual([...got[name]!.shape], [...w.shape], `${what} ${name}: shape`);
    const c = compareTensors(got[name]!, w, FP32_TOLERANCE);
    assert.ok(c.pass, `${what} ${name}: max abs ${c.maxAbsError}`);
  }
}

test('the feeds: ids, sentence-pair types and masks with end padding of different lengths', () => {
  const f = bertFeeds(3, 8, 1, TINY.vocab);
  assert.deepEqual([0, 1, 2].map((r) => realTokens(r, 3, 8)), [8, 7, 6]);
  assert.deepEqual([...f.attention_mask!.data as BigInt64Array].map(Number), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 0, 0]);
  assert.deepEqual([...f.token_type_ids!.data as BigInt64Array].slice(16).map(Number), [0, 0, 0, 1, 1, 1, 0, 0]);
  const ids = [...f.input_ids!.data as BigInt64Array].map(Number);
  assert.deepEqual([ids[15], ids[22], ids[23]], [0, 0, 0]);
  assert.ok(ids.filter((_, i) => (f.attention_mask!.data as BigInt64Array)[i] === 1n).every((id) => id >= 1000 && id < TINY.vocab));
});

test('the dynamic export declares [batch, sequence] inputs and runs in onnxruntime and on the cpu engine at several shapes', async () => {
  const { graph } = importOnnx(model);
  assert.deepEqual(graph.inputs.map((v) => [v.name, v.dtype, v.shape]), [
    ['input_ids', 'int64', ['batch', 'sequence']], ['attention_mask', 'int64', ['batch', 'sequence']], ['token_type_ids', 'int64', ['batch', 'sequence']],
  ]);
  const session = await createSession(graph, { engine: 'cpu' });
  for (const [k, [b, s]] of SHAPES.entries()) {
    const feeds = bertFeeds(b, s, 10 + k, TINY.vocab);
    assertAgrees(await session.run(feeds), await runOrt(model, feeds), `cpu ${b}x${s}`);
  }
  session.dispose();
});

// at opt and max only: the engine is made at both with the build, so no other shape's pipelines are
// compiled (minutes on a loaded CPU Vulkan driver); specializations are tested in test/engine/dynamic-shapes.test.ts
test('webgpu: one profile 1x4..3x24 built once, agrees with onnxruntime at 2x9 (opt) and 3x24 (max), refuses 1x25', { skip }, async () => {
  const range = { min: [1, 4], opt: [2, 9], max: [3, 24] };
  const profile = { input_ids: range, attention_mask: range, token_type_ids: range };
  const session = await createSession(importOnnx(model).graph, { engine: 'webgpu', timeTactics: false, profiles: [profile] });
  try {
    for (const [k, [b, s]] of [[2, 9], [3, 24]].entries()) {
      const feeds = bertFeeds(b!, s!, 20 + k, TINY.vocab);
      assertAgrees(await session.run(feeds), await runOrt(model, feeds), `webgpu ${b}x${s}`);
    }
    const e = session.stats().engine!;
    assert.equal(e.builds, 1);
    assert.equal(e.partitions, 1);
    assert.equal(e.specializations, 0, 'opt and max are made with the build');
    assert.ok(e.partition.subgraphs.length >= 1);
    await assert.rejects(session.run(bertFeeds(1, 25, 1, TINY.vocab)), (err: Error) => err instanceof ProfileError && /'input_ids' has shape \[1,25\]/.test(err.message));
  } finally {
    session.dispose();
  }
});
