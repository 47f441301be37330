// Untrusted model files: external data may not leave the model's folder (not even through a
// symlink), must be a regular file of the right size, and is read by range; ONNX fields nnrt cannot
// trust (a STRING attribute without its value, negative dims) are typed errors. Each case fails
// within a time bound without reading or allocating more than the tensor needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParseError } from '../../src/errors.js';
import { loadOnnxFile } from '../../src/node/files.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { ATTR_TYPE, ModelProto, ONNX_DTYPE } from '../../src/onnx/proto.js';
import '../../src/ops/index.js';

const dir = mkdtempSync(join(tmpdir(), 'nnrt-untrusted-'));

/** y = x + w, w[4] float32 kept in external data `location` (with `length` when given). */
function externalModel(location: string, length?: number): Uint8Array {
  const ext = [{ key: 'location', value: location }, ...(length !== undefined ? [{ key: 'length', value: String(length) }] : [])];
  return new Uint8Array(ModelProto.encode(ModelProto.fromObject({
    irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'ext',
      node: [{ name: 'add', opType: 'Add', input: ['x', 'w'], output: ['y'] }],
      initializer: [{ name: 'w', dims: [4], dataType: ONNX_DTYPE.FLOAT, dataLocation: 1, externalData: ext }],
      input: [{ name: 'x', type: { tensorType: { elemType: ONNX_DTYPE.FLOAT, shape: { dim: [{ dimValue: 4 }] } } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: ONNX_DTYPE.FLOAT, shape: { dim: [{ dimValue: 4 }] } } } }],
    },
  })).finish());
}

function modelIn(name: string, bytes: Uint8Array): string {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'model.onnx'), bytes);
  return folder;
}

function refuses(fn: () => unknown, re: RegExp, ms = 5000): void {
  const t0 = performance.now();
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ParseError, `expected ParseError, got ${String(e)}`);
    assert.match(e.message, re);
    return true;
  });
  assert.ok(performance.now() - t0 < ms, `took ${performance.now() - t0} ms`);
}

test('external data that is a symlink out of the model folder is refused (not read)', () => {
  const secret = join(dir, 'secret.bin');
  writeFileSync(secret, new Uint8Array(16).fill(7));
  const folder = modelIn('symlink', externalModel('weights.bin'));
  symlinkSync(secret, join(folder, 'weights.bin'));
  refuses(() => loadOnnxFile(join(folder, 'model.onnx')), /resolves to .*secret\.bin', outside the model's folder/);
});

test('a symlink inside the folder is followed', () => {
  const folder = modelIn('symlink-in', externalModel('weights.bin'));
  writeFileSync(join(folder, 'real.bin'), new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer));
  symlinkSync(join(folder, 'real.bin'), join(folder, 'weights.bin'));
  assert.deepEqual([...loadOnnxFile(join(folder, 'model.onnx')).graph.initializers.get('w')!.data], [1, 2, 3, 4]);
});

test('external data that is a FIFO is refused at once (no wait for a writer)', { skip: process.platform === 'win32' }, () => {
  const folder = modelIn('fifo', externalModel('weights.bin'));
  assert.equal(spawnSync('mkfifo', [join(folder, 'weights.bin')]).status, 0);
  refuses(() => loadOnnxFile(join(folder, 'model.onnx')), /not a regular file/, 2000);
});

test('external data location naming a directory is refused', () => {
  const folder = modelIn('dir', externalModel('.'));
  refuses(() => loadOnnxFile(join(folder, 'model.onnx')), /is a directory/);
  const sub = modelIn('dir2', externalModel('sub'));
  mkdirSync(join(sub, 'sub'));
  refuses(() => loadOnnxFile(join(sub, 'model.onnx')), /is a directory/);
});

test('a 2 GB sparse data file with no length: only the tensor\'s 16 bytes are read', () => {
  const folder = modelIn('big', externalModel('weights.bin'));
  const data = join(folder, 'weights.bin');
  writeFileSync(data, new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer));
  truncateSync(data, 2 ** 31); // sparse: no disk used
  const before = process.memoryUsage().rss;
  const t0 = performance.now();
  const w = loadOnnxFile(join(folder, 'model.onnx')).graph.initializers.get('w')!;
  assert.deepEqual([...w.data], [1, 2, 3, 4]);
  assert.ok(process.memoryUsage().rss - before < 64 * 2 ** 20, 'no more than 64 MiB more resident memory');
  assert.ok(performance.now() - t0 < 2000);
});

test('a length that differs from the tensor size, or data past the file end, is refused before reading', () => {
  const folder = modelIn('len', externalModel('weights.bin', 2 ** 31));
  writeFileSync(join(folder, 'weights.bin'), new Uint8Array(16));
  refuses(() => loadOnnxFile(join(folder, 'model.onnx')), /has length 2147483648, the tensor needs 16 bytes/);
  const short = modelIn('short', externalModel('weights.bin'));
  writeFileSync(join(short, 'weights.bin'), new Uint8Array(8));
  refuses(() => loadOnnxFile(join(short, 'model.onnx')), /range 0\+16 exceeds the file's 8 bytes/);
});

test('an ONNX STRING attribute without its s field does not crash the importer', () => {
  const bytes = new Uint8Array(ModelProto.encode(ModelProto.fromObject({
    irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'g',
      node: [{ name: 'n', opType: 'Relu', input: ['x'], output: ['y'], attribute: [{ name: 'mode', type: ATTR_TYPE.STRING }] }],
      input: [{ name: 'x', type: { tensorType: { elemType: ONNX_DTYPE.FLOAT, shape: { dim: [{ dimValue: 1 }] } } } }],
      output: [{ name: 'y' }],
    },
  })).finish());
  // no TypeError: main reads a missing s as the empty string (proto2's default)
  const attr = importOnnx(bytes).graph.nodes[0]!.attrs.mode;
  assert.deepEqual(attr, { type: 'string', value: '' });
});

test('an input dim declared negative is a ParseError', () => {
  const bytes = new Uint8Array(ModelProto.encode(ModelProto.fromObject({
    irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'g',
      node: [{ name: 'n', opType: 'Relu', input: ['x'], output: ['y'] }],
      input: [{ name: 'x', type: { tensorType: { elemType: ONNX_DTYPE.FLOAT, shape: { dim: [{ dimValue: -5 }, { dimValue: 2 }] } } } }],
      output: [{ name: 'y' }],
    },
  })).finish());
  refuses(() => importOnnx(bytes), /dimension 0 is declared -5/);
});
