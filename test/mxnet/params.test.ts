import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NnrtError, ParseError, UnsupportedError } from '../../src/errors.js';
import { ByteWriter } from '../../src/mxnet/bytes.js';
import { MX_DTYPES } from '../../src/mxnet/dtype.js';
import { readParams, writeParams, type MxArray } from '../../src/mxnet/params.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { fixture, SKIP } from './fixtures.js';

// Facts from each fixture folder's SOURCES.md: array count, record layout, arg/aux prefixes.
const PARAMS: [string, number, string, number, number][] = [
  ['apache__mxnet/legacy_ndarray.v0', 6, 'v0', 0, 0],
  ['deepinsight__insightface/mtcnn-model/det1-0001.params', 13, 'v0', 13, 0],
  ['deepinsight__insightface/mtcnn-model/det2-0001.params', 16, 'v0', 16, 0],
  ['deepinsight__insightface/mtcnn-model/det3-0001.params', 21, 'v0', 21, 0],
  ['deepinsight__insightface/mtcnn-model/det4-0001.params', 73, 'v0', 73, 0],
  ['songtianyi__go-mxnet-predictor/go_test-0001.params', 2, 'v0', 2, 0],
  ['aws__sagemaker-mxnet-inference-toolkit/default_handlers/model-0000.params', 2, 'v1', 2, 0],
  ['aws__sagemaker-mxnet-inference-toolkit/mnist/model-0000.params', 6, 'v2', 6, 0],
  ['deepinsight__insightface/gender-age-model/model-0000.params', 146, 'v2', 88, 58],
  ['DerTreiber__crfasrnn/net-0000.params', 8, 'v2', 8, 0],
  ['YonghaoHe__LFFD-A-Light-and-Fast-Face-Detector-for-Edge-Devices/train_64_512_16L_3scales_v1_small_iter_1000000.params', 62, 'v2', 62, 0],
];

test('every fixture params file parses to EOF with the layout, count, prefixes, dtype and context SOURCES.md state', { skip: SKIP }, () => {
  for (const [file, count, layout, args, auxes] of PARAMS) {
    const p = readParams(fixture(file), file);
    assert.equal(p.arrays.length, count, file);
    assert.equal(p.named, args + auxes > 0, file);
    assert.equal(p.arrays.filter((a) => a.name.startsWith('arg:')).length, args, file);
    assert.equal(p.arrays.filter((a) => a.name.startsWith('aux:')).length, auxes, file);
    for (const a of p.arrays) {
      assert.equal(a.layout, layout, `${file} ${a.name}`);
      assert.equal(a.dtype, 'float32');
      assert.deepEqual(a.context, { devType: 1, devId: 0 });
      assert.equal(a.tensor?.dtype, 'float32');
    }
  }
});

test('legacy_ndarray.v0 holds six unnamed arange(128) float32 arrays (MXNet test_ndarray_legacy_load)', { skip: SKIP }, () => {
  const p = readParams(fixture('apache__mxnet/legacy_ndarray.v0'));
  assert.equal(p.named, false);
  for (const a of p.arrays) {
    assert.equal(a.name, '');
    assert.deepEqual(a.tensor!.shape, [128]);
    assert.deepEqual(Array.from(a.tensor!.numeric()), Array.from({ length: 128 }, (_, i) => i));
  }
});

test('crfasrnn weights have the shapes SOURCES.md gives', { skip: SKIP }, () => {
  const p = readParams(fixture('DerTreiber__crfasrnn/net-0000.params'));
  const shape = (n: string) => p.arrays.find((a) => a.name === n)?.tensor?.shape;
  assert.deepEqual(shape('arg:merge_dense0_weight'), [3, 256]);
  assert.deepEqual(shape('arg:merge_dense1_weight'), [4, 800]);
  assert.deepEqual(shape('arg:merge_dense2_weight'), [5, 16]);
});

test('reading then writing a V2 fixture reproduces its bytes', { skip: SKIP }, () => {
  for (const [file, , layout] of PARAMS) {
    if (layout !== 'v2') continue;
    const bytes = fixture(file);
    assert.ok(Buffer.from(writeParams(readParams(bytes))).equals(bytes), file);
  }
});

test('V0 and V1 fixtures rewrite as V2 with the same names and values', { skip: SKIP }, () => {
  for (const [file, , layout] of PARAMS) {
    if (layout === 'v2') continue;
    const a = readParams(fixture(file));
    const b = readParams(writeParams(a));
    assert.equal(b.named, a.named);
    b.arrays.forEach((x, i) => {
      assert.equal(x.layout, 'v2');
      assert.equal(x.name, a.arrays[i]!.name);
      assert.deepEqual(x.tensor!.data, a.arrays[i]!.tensor!.data);
    });
  }
});

test('a written file reads back bit-identically: every MXNet dtype, none arrays, GPU context, unnamed lists', () => {
  const arrays: MxArray[] = MX_DTYPES.map((dtype, k) => ({
    name: `arg:a_${dtype}`,
    tensor: Tensor.fromNumeric(dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16' ? 'float32' : 'int32', [2, 3], [0, 1, -2, 3.5, 100, k]
      .map((v) => (dtype.startsWith('u') || dtype === 'bool' ? Math.abs(Math.trunc(v)) % 2 : dtype.startsWith('int') ? Math.trunc(v) : v))),
    dtype,
    context: { devType: k === 3 ? 2 : 1, devId: k === 3 ? 1 : 0 },
  }));
  arrays.push({ name: 'aux:none', tensor: undefined });
  const bytes = writeParams({ arrays, named: true });
  const back = readParams(bytes);
  assert.deepEqual(back.arrays.map((a) => a.name), arrays.map((a) => a.name));
  assert.deepEqual(back.arrays.map((a) => a.dtype), [...MX_DTYPES, undefined]);
  assert.deepEqual(back.arrays[3]!.context, { devType: 2, devId: 1 });
  assert.equal(back.arrays.at(-1)!.tensor, undefined);
  assert.deepEqual(Array.from(back.arrays[1]!.tensor!.numeric()), [0, 1, -2, 3.5, 100, 1]); // float64 → float32 values
  assert.ok(back.arrays[1]!.raw && back.arrays[1]!.raw.length === 48, 'float64 keeps its 8-byte raw values');
  assert.deepEqual(writeParams(back), bytes);
  const unnamed = writeParams({ arrays: [{ name: '', tensor: Tensor.fromArray([2], [1, 2]) }], named: false });
  assert.equal(readParams(unnamed).named, false);
  assert.deepEqual(writeParams(readParams(unnamed)), unnamed);
});

test('a float64 value that float32 cannot hold still round-trips exactly through raw', () => {
  const w = new ByteWriter();
  w.u64(0x112); w.u64(0); w.u64(1);
  w.u32(0xf993fac9); w.i32(0); w.i32(1); w.i64(1); w.i32(1); w.i32(0); w.i32(1);
  w.bytes(new Uint8Array(Float64Array.of(0.1).buffer));
  w.u64(0);
  const bytes = w.finish();
  const p = readParams(bytes);
  assert.equal(p.arrays[0]!.tensor!.numeric()[0], Math.fround(0.1));
  assert.deepEqual(writeParams(p), bytes);
});

/** A hand-made list of one record, laid out as MXNet's sources describe (MXNET_FORMATS.md §1.3). */
function oneRecord(body: (w: ByteWriter) => void, name = 'arg:x'): Uint8Array {
  const w = new ByteWriter();
  w.u64(0x112); w.u64(0); w.u64(1);
  body(w);
  const n = new TextEncoder().encode(name);
  w.u64(1); w.u64(n.length); w.bytes(n);
  return w.finish();
}

test('V3 records: a 0-d scalar and an unknown shape ("none")', () => {
  const scalar = readParams(oneRecord((w) => {
    w.u32(0xf993faca); w.i32(0); w.i32(0); w.i32(1); w.i32(0); w.i32(0);
    w.bytes(new Uint8Array(Float32Array.of(2.5).buffer));
  }));
  assert.equal(scalar.arrays[0]!.layout, 'v3');
  assert.deepEqual(scalar.arrays[0]!.tensor!.shape, []);
  assert.equal(scalar.arrays[0]!.tensor!.numeric()[0], 2.5);
  const none = readParams(oneRecord((w) => { w.u32(0xf993faca); w.i32(0); w.i32(-1); }));
  assert.equal(none.arrays[0]!.tensor, undefined);
  assert.throws(() => writeParams(scalar), UnsupportedError, '0-d arrays have no V2 form');
});

test('sparse storage is refused naming the array', () => {
  // row_sparse (3, 2) storing 1 row: storage shape (1, 2), aux int64 indices of shape (1,)
  const bytes = oneRecord((w) => {
    w.u32(0xf993fac9); w.i32(1);
    w.i32(2); w.i64(1); w.i64(2);
    w.i32(2); w.i64(3); w.i64(2);
    w.i32(1); w.i32(0); w.i32(0);
    w.i32(6); w.i32(1); w.i64(1);
    w.bytes(new Uint8Array(8)); w.bytes(new Uint8Array(8));
  }, 'arg:embed_weight');
  assert.throws(() => readParams(bytes), (e: Error) => e instanceof UnsupportedError && /'arg:embed_weight'.*row_sparse/.test(e.message));
});

test('bad files: wrong magic, truncation at every byte, huge counts, name/array mismatch, trailing bytes', { skip: SKIP }, () => {
  const file = fixture('aws__sagemaker-mxnet-inference-toolkit/default_handlers/model-0000.params'); // 150 bytes, V1
  const bad = Buffer.from(file); // a copy (Buffer.slice would alias)
  bad[0] = 0x13;
  assert.throws(() => readParams(bad, 'm.params'), (e: Error) => e instanceof ParseError && /magic.*byte 0/.test(e.message));
  for (let n = 0; n < file.length; n++) {
    assert.throws(() => readParams(file.subarray(0, n), 'm.params'), (e: Error) => e instanceof ParseError && /m\.params, byte \d+/.test(e.message), `cut at ${n}`);
  }
  const huge = Buffer.from(file);
  huge.writeUInt32LE(0xffffff, 16);
  assert.throws(() => readParams(huge), /array count 16777215 is larger/);
  const names = new ByteWriter();
  names.u64(0x112); names.u64(0); names.u64(1);
  names.u32(1); names.u32(1); names.i32(1); names.i32(0); names.i32(0); names.bytes(new Uint8Array(4));
  names.u64(2);
  assert.throws(() => readParams(names.finish()), /1 arrays but 2 names/);
  assert.throws(() => readParams(Buffer.concat([file, Buffer.of(0)])), /1 unexpected bytes/);
  assert.throws(() => readParams(Buffer.from('PK\x03\x04rest')), (e: Error) => e instanceof UnsupportedError && /npz/.test(e.message));
  assert.throws(() => readParams(new Uint8Array(3)), NnrtError);
});
