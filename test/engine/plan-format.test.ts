import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkPlanCompatible,
  fnv1a64Words,
  parsePlan,
  PLAN_FORMAT_VERSION,
  serializePlan,
  type EnginePlan,
} from '../../src/engine/plan-format.js';
import { PlanError } from '../../src/errors.js';
import { fnv1a64 } from '../../src/ir/hash.js';
import { mulberry32 } from '../../src/tensor/random.js';

const ADAPTER = { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' };

function samplePlan(constantBytes = 600): EnginePlan {
  const rand = mulberry32(3);
  const constants = new Uint8Array(constantBytes);
  for (let i = 0; i < constants.length; i++) constants[i] = Math.floor(rand() * 256);
  return {
    header: {
      format: 'nnrt-plan',
      formatVersion: PLAN_FORMAT_VERSION,
      nnrtVersion: '0.1.0',
      adapter: ADAPTER,
      precision: 'fp16',
      graphHash: '0123456789abcdef',
      inputs: [{ name: 'x', shape: [1, 3, 8, 8] }],
      outputs: [{ name: 'y', shape: [1, 10] }],
    },
    kernels: ['@compute @workgroup_size(64) fn main() { /* conv ✓ */ }', '@compute @workgroup_size(1) fn main() {}'],
    dispatches: [
      {
        kernel: 0,
        bindings: [
          { buffer: 'arena', offset: 0, size: 768 },
          { buffer: 'constants', offset: 0, size: 512 },
          { buffer: 'arena', offset: 1024, size: 40 },
        ],
        workgroups: [4, 1, 1],
        layer: 0,
      },
      { kernel: 1, bindings: [{ buffer: 'arena', offset: 1024, size: 40 }], workgroups: [1, 1, 1], layer: 1 },
    ],
    layers: [
      { name: 'Conv_0', kind: 'conv', from: ['Conv_0', 'Relu_1'], tactic: 'conv-direct-8x8', timeMs: 0.0123 },
      { name: 'Softmax_2', kind: 'softmax', from: ['Softmax_2'], tactic: 'softmax-row' },
    ],
    arenaBytes: 1280,
    naiveBytes: 2048,
    io: { inputs: [{ name: 'x', offset: 0, bytes: 768 }], outputs: [{ name: 'y', offset: 1024, bytes: 40 }] },
    constants,
  };
}

/** Asserts `fn` throws a PlanError whose message matches `re` and tells the user to rebuild. */
function refuses(fn: () => unknown, re: RegExp, rebuildHint = true): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof PlanError, `expected PlanError, got ${String(e)}`);
    assert.match(e.message, re);
    if (rebuildHint) assert.match(e.message, /nnrt build/);
    return true;
  });
}

test('the streaming checksum equals fnv1a64 (published vectors) on text and random bytes', () => {
  const enc = new TextEncoder();
  const words = (u: Uint8Array) => fnv1a64Words(u).map((w) => w.toString(16).padStart(8, '0')).join('');
  assert.equal(words(enc.encode('')), 'cbf29ce484222325');
  assert.equal(words(enc.encode('a')), 'af63dc4c8601ec8c');
  assert.equal(words(enc.encode('foobar')), '85944171f73967e8');
  const rand = mulberry32(11);
  const bytes = new Uint8Array(5000).map(() => Math.floor(rand() * 256));
  for (const n of [1, 7, 255, 5000]) assert.equal(words(bytes.subarray(0, n)), fnv1a64(bytes.subarray(0, n)));
});

test('a plan survives serialize → parse unchanged', () => {
  const plan = samplePlan();
  const back = parsePlan(serializePlan(plan));
  assert.deepEqual(back, plan);
  // also from a buffer that does not start at a 4-byte boundary
  const bytes = serializePlan(plan);
  const shifted = new Uint8Array(bytes.length + 1);
  shifted.set(bytes, 1);
  assert.deepEqual(parsePlan(shifted.subarray(1)), plan);
  // an empty constants section is fine
  const empty = { ...samplePlan(0), dispatches: [] };
  assert.deepEqual(parsePlan(serializePlan(empty)), empty);
});

test('the file layout: signature, version, JSON length, 4-aligned constants, trailing checksum', () => {
  const plan = samplePlan();
  const bytes = serializePlan(plan);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 8)), 'NNRTPLAN');
  assert.equal(view.getUint32(8, true), PLAN_FORMAT_VERSION);
  const jsonLength = view.getUint32(12, true);
  const json = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + jsonLength)));
  assert.equal(json.constantsBytes, plan.constants.length);
  assert.equal(json.kernels[0], plan.kernels[0]);
  const constantsAt = 16 + Math.ceil(jsonLength / 4) * 4;
  assert.deepEqual(bytes.subarray(constantsAt, constantsAt + plan.constants.length), plan.constants);
  assert.equal(bytes.length, constantsAt + plan.constants.length + 8);
  const stored = Array.from(bytes.subarray(bytes.length - 8), (b) => b.toString(16).padStart(2, '0')).join('');
  assert.equal(stored, fnv1a64(bytes.subarray(0, bytes.length - 8)));
});

test('a flipped byte anywhere after the signature is a checksum error', () => {
  const bytes = serializePlan(samplePlan());
  const jsonLength = new DataView(bytes.buffer).getUint32(12, true);
  const positions = [
    Math.floor(bytes.length / 2), // in the constants
    16 + Math.floor(jsonLength / 2), // in the JSON
    16 + 40, // in the JSON, early
    bytes.length - 3, // in the checksum itself
  ];
  for (const at of positions) {
    const bad = bytes.slice();
    bad[at]! ^= 0x10;
    refuses(() => parsePlan(bad), /corrupt plan: checksum/);
  }
  const longer = new Uint8Array(bytes.length + 4);
  longer.set(bytes);
  refuses(() => parsePlan(longer), /corrupt plan: checksum/);
});

test('every truncation is refused', () => {
  const bytes = serializePlan(samplePlan(100));
  for (let n = 0; n < bytes.length; n++) {
    const cut = bytes.slice(0, n);
    if (n < 8) refuses(() => parsePlan(cut), /not an nnrt plan file/, false);
    else refuses(() => parsePlan(cut), /truncated plan/);
  }
});

test('wrong signature and other format versions are refused', () => {
  const bytes = serializePlan(samplePlan());
  const png = bytes.slice();
  png.set([0x89, 0x50, 0x4e, 0x47], 0);
  refuses(() => parsePlan(png), /not an nnrt plan file/, false);
  refuses(() => parsePlan(new TextEncoder().encode('{"format":"nnrt-plan"}')), /not an nnrt plan file/, false);
  const v2 = bytes.slice();
  new DataView(v2.buffer).setUint32(8, PLAN_FORMAT_VERSION + 1, true);
  refuses(() => parsePlan(v2), new RegExp(`format version ${PLAN_FORMAT_VERSION + 1}; this nnrt reads version ${PLAN_FORMAT_VERSION}`));
});

test('an intact file with an inconsistent plan is refused, naming the field', () => {
  const badKernel = samplePlan();
  badKernel.dispatches[1]!.kernel = 7;
  refuses(() => parsePlan(serializePlan(badKernel)), /malformed plan.*dispatches\[1\]\.kernel/);
  const pastArena = samplePlan();
  pastArena.dispatches[0]!.bindings[2]!.size = 4096;
  refuses(() => parsePlan(serializePlan(pastArena)), /malformed plan: region ends past its 1280-byte buffer.*dispatches\[0\]\.bindings\[2\]/);
  const pastConstants = samplePlan(100);
  refuses(() => parsePlan(serializePlan(pastConstants)), /past its 100-byte buffer.*bindings\[1\]/);
  const badPrecision = samplePlan();
  (badPrecision.header as { precision: string }).precision = 'int4';
  refuses(() => parsePlan(serializePlan(badPrecision)), /header\.precision/);
  const badIo = samplePlan();
  badIo.io.outputs[0]!.offset = 1250;
  refuses(() => parsePlan(serializePlan(badIo)), /io\.outputs\[0\]/);
});

test('checkPlanCompatible accepts a matching plan and explains every mismatch', () => {
  const { header } = samplePlan();
  const ok = { nnrtVersion: '0.1.0', adapter: { ...ADAPTER }, precision: 'fp16' as const, inputs: [{ name: 'x', shape: [1, 3, 8, 8] }] };
  checkPlanCompatible(header, ok);
  checkPlanCompatible(header, { nnrtVersion: '0.1.0' });
  refuses(() => checkPlanCompatible(header, { ...ok, nnrtVersion: '0.2.0' }), /plan made by nnrt 0\.1\.0 \(this is nnrt 0\.2\.0\)/);
  refuses(
    () => checkPlanCompatible(header, { ...ok, adapter: { vendor: 'mesa', architecture: '', description: 'llvmpipe' } }),
    /plan built for adapter 'nvidia hopper \(NVIDIA H200\)' \(this is 'mesa \(llvmpipe\)'\)/,
  );
  refuses(() => checkPlanCompatible(header, { ...ok, precision: 'fp32' }), /plan built for fp16 \(asked fp32\)/);
  refuses(
    () => checkPlanCompatible(header, { ...ok, inputs: [{ name: 'x', shape: [2, 3, 8, 8] }] }),
    /plan built for input shape \[1, 3, 8, 8\] \(asked \[2, 3, 8, 8\]\).*at x/,
  );
  refuses(() => checkPlanCompatible(header, { ...ok, inputs: [{ name: 'x', shape: [1, 3, 8] }] }), /input shape/);
  refuses(() => checkPlanCompatible(header, { ...ok, inputs: [{ name: 'img', shape: [1] }] }), /no input 'img' \(its inputs: x\)/);
});
