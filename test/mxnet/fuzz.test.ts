// Random mutations of real MXNet files (seeded): only typed NnrtErrors may come out of the
// readers and the importer — no RangeError/TypeError, no hang, no huge allocation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NnrtError } from '../../src/errors.js';
import { importMxnet } from '../../src/mxnet/import.js';
import { readParams } from '../../src/mxnet/params.js';
import { parseSymbol } from '../../src/mxnet/symbol.js';
import { createSession } from '../../src/runtime/session.js';
import { fixture, SKIP } from './fixtures.js';
import { mulberry32 } from '../../src/tensor/random.js';


/** Bit flips, a truncation, an overwritten byte run, inserted bytes, or (for text) a swapped digit. */
function mutate(src: Uint8Array, r: () => number): Uint8Array {
  const at = Math.floor(r() * src.length);
  const out = new Uint8Array(src);
  switch (Math.floor(r() * 5)) {
    case 0:
      for (let i = 0, n = 1 + Math.floor(r() * 4); i < n; i++) out[Math.floor(r() * out.length)]! ^= 1 << Math.floor(r() * 8);
      return out;
    case 1: return src.slice(0, at);
    case 2:
      for (let i = at; i < Math.min(out.length, at + 1 + Math.floor(r() * 8)); i++) out[i] = Math.floor(r() * 256);
      return out;
    case 3: {
      const extra = Uint8Array.from({ length: 1 + Math.floor(r() * 8) }, () => Math.floor(r() * 256));
      return Uint8Array.from([...src.subarray(0, at), ...extra, ...src.subarray(at)]);
    }
    default: {
      // text-friendly: replace one digit with another, which keeps JSON valid but changes indices/attributes
      const digits = [...src.keys()].filter((i) => src[i]! >= 0x30 && src[i]! <= 0x39);
      if (digits.length) out[digits[Math.floor(r() * digits.length)]!] = 0x30 + Math.floor(r() * 10);
      return out;
    }
  }
}

function expectTyped(e: unknown, what: string): void {
  if (!(e instanceof NnrtError)) assert.fail(`${what} raised ${(e as Error)?.constructor?.name}: ${(e as Error)?.stack ?? e}`);
  assert.ok(e.message.length > 10);
}

const DET1 = 'deepinsight__insightface/mtcnn-model/det1';

test('2,000 mutations of a real .params file give only typed errors', { skip: SKIP }, () => {
  const src = fixture(`${DET1}-0001.params`);
  const r = mulberry32(11);
  let typed = 0;
  for (let i = 0; i < 2000; i++) {
    try {
      readParams(mutate(src, r), 'det1.params');
    } catch (e) {
      expectTyped(e, `params mutation ${i}`);
      typed++;
    }
  }
  assert.ok(typed > 200, `most mutations are caught (${typed})`);
});

test('2,000 mutations of a real symbol JSON give only typed errors through parse, convert and bind', { skip: SKIP }, async () => {
  const json = fixture(`${DET1}-symbol.json`);
  const params = fixture(`${DET1}-0001.params`);
  const r = mulberry32(12);
  const decoder = new TextDecoder();
  let typed = 0;
  for (let i = 0; i < 2000; i++) {
    const text = decoder.decode(mutate(json, r));
    try {
      parseSymbol(text, 'det1.json');
      const { graph } = importMxnet(text, params, { inputShapes: { data: [1, 3, 12, 12] } });
      await createSession(graph);
    } catch (e) {
      expectTyped(e, `symbol mutation ${i}`);
      typed++;
    }
  }
  assert.ok(typed > 200, `most mutations are caught (${typed})`);
});
