// Mutates valid model files at random and asserts that only typed NnrtErrors come out of the whole
// load path (decode → import → verify → bind → static shape inference): no crash, no hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { NnrtError } from '../../src/errors.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { inferShapes } from '../../src/ir/infer.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { bindNode, opTyper } from '../../src/ops/index.js';
import { smallCnnModel } from '../helpers/small-model.js';
import { mulberry32 } from '../../src/tensor/random.js';


/** One random mutation: bit flips, a truncation, a byte run overwritten, bytes inserted or deleted. */
function mutate(src: Uint8Array, r: () => number): Uint8Array {
  const kind = Math.floor(r() * 5);
  const at = Math.floor(r() * src.length);
  switch (kind) {
    case 0: {
      const out = src.slice();
      const flips = 1 + Math.floor(r() * 4);
      for (let i = 0; i < flips; i++) {
        const p = Math.floor(r() * out.length);
        out[p]! ^= 1 << Math.floor(r() * 8);
      }
      return out;
    }
    case 1: return src.slice(0, at);
    case 2: {
      const out = src.slice();
      const n = 1 + Math.floor(r() * 8);
      for (let i = 0; i < n && at + i < out.length; i++) out[at + i] = Math.floor(r() * 256);
      return out;
    }
    case 3: {
      const ins = Uint8Array.from({ length: 1 + Math.floor(r() * 6) }, () => Math.floor(r() * 256));
      const out = new Uint8Array(src.length + ins.length);
      out.set(src.subarray(0, at));
      out.set(ins, at);
      out.set(src.subarray(at), at + ins.length);
      return out;
    }
    default: {
      const n = Math.min(1 + Math.floor(r() * 6), src.length - at);
      const out = new Uint8Array(src.length - n);
      out.set(src.subarray(0, at));
      out.set(src.subarray(at + n), at);
      return out;
    }
  }
}

function loadPath(bytes: Uint8Array): void {
  const { graph } = importOnnx(bytes, { source: 'fuzz' });
  verifyGraph(graph);
  for (const n of graph.nodes) bindNode(n);
  inferShapes(graph, opTyper, Object.fromEntries(graph.inputs.map((v) => [v.name, v.shape.map((d) => (typeof d === 'number' ? d : 1))])));
}

function fuzz(name: string, bytes: Uint8Array, count: number, seed: number) {
  test(`${count} random mutations of ${name} give only typed errors`, () => {
    loadPath(bytes); // the unmutated model loads
    const r = mulberry32(seed);
    let typed = 0;
    for (let i = 0; i < count; i++) {
      const m = mutate(bytes, r);
      try {
        loadPath(m);
      } catch (e) {
        if (!(e instanceof NnrtError)) {
          assert.fail(`mutation ${i} raised ${(e as Error)?.constructor?.name}: ${(e as Error)?.stack ?? e}`);
        }
        assert.ok(e.message.length > 10, 'the error says what is wrong');
        typed++;
      }
    }
    assert.ok(typed > count / 10, `most mutations should be caught (${typed} of ${count})`);
  });
}

fuzz('a small CNN', smallCnnModel(), 2000, 1);

const squeeze = new URL('../../../shared/models/squeezenet1_1/model.onnx', import.meta.url);
// a plain Uint8Array copy: a Node Buffer's slice() is a view, and mutations must not touch the source
if (existsSync(squeeze)) fuzz('squeezenet1_1', new Uint8Array(readFileSync(squeeze)), 300, 2);
else test('squeezenet1_1 mutations', { skip: '../shared/models is absent' }, () => {});
