// fp16 models (float16 weights and activations, as onnxconverter-common's float16 conversion or a
// `.half()` export writes them) go to the engines: the session widens them to float32
// (src/ir/widen-float16.ts) with their float16 inputs and outputs cast at the boundary. Before,
// both engines declined every float16 node and the framework ran the whole model. Two forms: the
// converter's keep_io_types (float32 in and out, Casts inside) and float16 in and out. Outputs
// agree with onnxruntime's float16 CPU run within fp16 tolerance; the engines take every node but
// the boundary Casts and what folds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/node/webgpu.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { exportOnnx } from '../../src/onnx/export/model.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { FOLDED_REASON } from '../../src/partition/partition.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { toHalfBitsArray } from '../../src/tensor/float16.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const half = (t: Tensor<'float32'>) => {
  const h = new Uint16Array(t.size);
  toHalfBitsArray(t.data, h);
  return new Tensor('float16', [...t.shape], h);
};

/** conv → relu → maxpool → conv → relu → global average pool → flatten → gemm, weights float16. */
function fp16Net(io: 'float32' | 'float16'): Graph {
  const b = new GraphBuilder(`fp16_${io}`, 17);
  let x = b.input('x', io, [1, 3, 16, 16]);
  if (io === 'float32') x = b.op('Cast', [x], { to: 10 }, 'cast_in');
  let h = b.op('Relu', [b.op('Conv', [x, b.constant('w1', half(randomTensor([8, 3, 3, 3], 1, -0.5, 0.5))), b.constant('b1', half(randomTensor([8], 2, -0.1, 0.1)))], { pads: [1, 1, 1, 1] }, 'conv1')], {}, 'relu1');
  h = b.op('MaxPool', [h], { kernel_shape: [2, 2], strides: [2, 2] }, 'pool');
  h = b.op('Relu', [b.op('Conv', [h, b.constant('w2', half(randomTensor([16, 8, 3, 3], 3, -0.3, 0.3)))], { pads: [1, 1, 1, 1] }, 'conv2')], {}, 'relu2');
  h = b.op('Flatten', [b.op('GlobalAveragePool', [h], {}, 'gap')], { axis: 1 }, 'flat');
  let y = b.op('Gemm', [h, b.constant('w3', half(randomTensor([10, 16], 4, -0.5, 0.5))), b.constant('b3', half(randomTensor([10], 5, -0.1, 0.1)))], { transB: 1 }, 'fc');
  if (io === 'float32') y = b.op('Cast', [y], { to: 1 }, 'cast_out');
  b.output(y);
  return b.graph;
}

const skipGpu = webgpuSkip() ?? false;

for (const io of ['float32', 'float16'] as const) {
  for (const engine of ['cpu', 'webgpu'] as const) {
    test(`an fp16 model with ${io} inputs and outputs runs in the ${engine} engine and agrees with onnxruntime`, { skip: engine === 'webgpu' ? skipGpu : false }, async () => {
      const model = exportOnnx(fp16Net(io), { opset: 17 });
      const x32 = randomTensor([1, 3, 16, 16], 7, -1, 1);
      const x = io === 'float16' ? half(x32) : x32;
      const name = importOnnx(model).graph.outputs[0]!.name;
      const want = (await runOrt(model, { x }))[name]!;
      const notices: string[] = [];
      const session = await createSession(importOnnx(model).graph, { device: engine, engine, timeTactics: false, notice: (l) => notices.push(l) });
      try {
        const got = (await session.run({ x }))[name]!;
        assert.equal(got.dtype, io, 'the output keeps the type the model declares');
        const c = compareTensors(new Tensor('float32', [...got.shape], Float32Array.from(got.numeric() as ArrayLike<number>)),
          new Tensor('float32', [...want.shape], Float32Array.from(want.numeric() as ArrayLike<number>)), { atol: 1e-2, rtol: 1e-2 });
        assert.ok(c.pass, c.reason);
        const p = session.stats().engine!.partition;
        const left = p.declined.filter((d) => d.reason !== FOLDED_REASON).map((d) => d.node);
        // the boundary casts of float16 inputs and outputs stay in the framework, nothing else
        for (const n of left) assert.match(n, /_widen|_narrow/, `${n} was left to the framework`);
        const inside = new Set(p.subgraphs.flatMap((s) => s.nodes));
        for (const n of ['conv1', 'relu1', 'pool', 'conv2', 'relu2', 'gap', 'flat', 'fc']) assert.ok(inside.has(n), `${n} is not in an engine: ${JSON.stringify(p.subgraphs.map((s) => s.nodes))}`);
        assert.ok(notices.some((l) => /computes in float16/.test(l)), notices.join('\n'));
      } finally {
        session.dispose();
      }
    });
  }
}

test('nnrt build takes an fp16 model (float32 in and out) as a whole-model plan, with a note', async () => {
  const { mkdtempSync, writeFileSync, existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { build } = await import('../../src/cli/build.js');
  const dir = mkdtempSync(join(tmpdir(), 'nnrt-fp16-'));
  const file = join(dir, 'fp16.onnx');
  writeFileSync(file, exportOnnx(fp16Net('float32'), { opset: 17 }));
  const out: string[] = [];
  const err: string[] = [];
  const code = await build(file, { engine: 'cpu', out: join(dir, 'fp16.plan'), quiet: true }, (l) => out.push(l), (l) => err.push(l));
  assert.equal(code, 0, [...out, ...err].join('\n'));
  assert.ok(existsSync(join(dir, 'fp16.plan')));
  assert.ok(err.some((l) => /computes in float16: built with float32 weights/.test(l)), err.join('\n'));
});
