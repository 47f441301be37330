// Data-dependent output shapes (NonZero here) on WebGPU: the executor runs the graph in stages —
// the GPU plan up to NonZero, NonZero on the CPU, the rest re-planned for the count it found —
// with the transfers counted, and outputs equal to onnxruntime's for inputs of different counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importOnnx } from '../../src/onnx/import/model.js';
import { ModelProto, ONNX_DTYPE } from '../../src/onnx/proto.js';
import { createSession, type Session, type SessionOptions } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;
const SHAPE = [64, 1100]; // 70,400 elements: more than inference folds on the CPU while planning

/** r = Relu(x); y = GatherND(x, Transpose(NonZero(r)))²: the positive elements of x, squared. */
function model(): Uint8Array {
  const node = (opType: string, input: string[], output: string) => ({ name: output, opType, input, output: [output] });
  const msg = ModelProto.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'positive_squares',
      node: [
        node('Relu', ['x'], 'r'), node('NonZero', ['r'], 'nz'), node('Transpose', ['nz'], 'idx'),
        node('GatherND', ['x', 'idx'], 'vals'), node('Mul', ['vals', 'vals'], 'y'),
      ],
      input: [{ name: 'x', type: { tensorType: { elemType: ONNX_DTYPE.FLOAT, shape: { dim: SHAPE.map((d) => ({ dimValue: d })) } } } }],
      output: [{ name: 'y' }, { name: 'r' }],
    },
  });
  return new Uint8Array(ModelProto.encode(msg).finish());
}

async function stagedRunsMatchOrt(opts: SessionOptions): Promise<Session> {
  const bytes = model();
  const session = await createSession(importOnnx(bytes).graph, { device: 'webgpu', ...opts });
  try {
    const counts = new Set<number>();
    for (const [seed, lo] of [[1, -1], [2, -0.2]] as const) {
      const x = randomTensor(SHAPE, seed, lo, 1);
      const want = await runOrt(bytes, { x });
      const got = await session.run({ x });
      counts.add(want.y!.shape[0]!);
      for (const name of ['y', 'r']) {
        const c = compareTensors(got[name]!, want[name]!, FP32_TOLERANCE);
        assert.ok(c.pass, `${name}: ${JSON.stringify(c)}`);
      }
      const stats = session.stats();
      // NonZero is the only node off the device (Transpose, GatherND and Mul have WGSL kernels)
      assert.deepEqual(stats.webgpu!.fallbacks.map((f) => f.op), ['NonZero'], JSON.stringify(stats.webgpu!.fallbacks));
      assert.match(stats.webgpu!.fallbacks[0]!.reason, /depends on data/);
      // r read back for NonZero, nz uploaded to the second stage: each crossing is counted
      // (x is a feed: the second stage takes it from the caller like any input)
      assert.equal(stats.transfers, 2, `transfers ${stats.transfers}`);
    }
    assert.equal(counts.size, 2, 'the two inputs select different counts');
    return session;
  } catch (e) {
    session.dispose();
    throw e;
  }
}

test('NonZero inside a graph runs on WebGPU in stages and matches onnxruntime for different counts', { skip }, async () => {
  (await stagedRunsMatchOrt({})).dispose();
});

test('with the engine on, the engine takes the static part before NonZero and the rest is staged', { skip }, async () => {
  const session = await stagedRunsMatchOrt({ engine: 'webgpu', minSubgraphSize: 1 });
  const engine = session.stats().engine!;
  assert.deepEqual(engine.partition.subgraphs.map((s) => s.nodes), [['r']], 'Relu (node r) runs in an engine');
  session.dispose();
});
