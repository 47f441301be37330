// The calibration-cache text (TensorRT's format): a cache as TensorRT writes it is read (the hex is
// decoded here with Node's own big-endian float reader, not nnrt's), nnrt's output round-trips and
// is byte-for-byte TensorRT's layout, and every malformed or ill-fitting cache is a
// CalibrationError naming its line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCacheFits, formatCalibrationCache, parseCalibrationCache, scaleToHex } from '../../src/engine/calibrate/cache-file.js';
import { CalibrationError } from '../../src/errors.js';

// the layout TensorRT 8.6 writes (ResNet-50 names from the ONNX model zoo); TensorRT drops leading zeros of the bits
const TRT_CACHE = `TRT-8601-EntropyCalibration2
gpu_0/data_0: 3c010a14
gpu_0/conv1_1: 3d8b6c30
gpu_0/res_conv1_bn_1: 3d2e4a7f
node_of_gpu_0/res2_0_branch2a_1: 3c9b1ef4
odd:name: with colons: 3f800000
tiny: 1
`;
const beFloat = (hex: string) => Buffer.from(hex.padStart(8, '0'), 'hex').readFloatBE(0);

test('reads a cache in TensorRT\'s layout', () => {
  const c = parseCalibrationCache(TRT_CACHE, 'resnet.calib');
  assert.equal(c.header, 'TRT-8601-EntropyCalibration2');
  assert.deepEqual([...c.scales.keys()], ['gpu_0/data_0', 'gpu_0/conv1_1', 'gpu_0/res_conv1_bn_1', 'node_of_gpu_0/res2_0_branch2a_1', 'odd:name: with colons', 'tiny']);
  for (const line of TRT_CACHE.trim().split('\n').slice(1)) {
    const cut = line.lastIndexOf(': ');
    assert.equal(c.scales.get(line.slice(0, cut)), beFloat(line.slice(cut + 2)), line);
  }
  assert.equal(c.scales.get('odd:name: with colons'), 1);
  assert.equal(c.lines?.get('gpu_0/conv1_1'), 3);
});

test('writes the header, then name: 8 hex digits per tensor, and reads back the same scales', () => {
  const scales = new Map([['input', 0.0235], ['conv/out', 1 / 127], ['zero', 0], ['tiny', 1.4e-45]]);
  const text = formatCalibrationCache({ header: 'TRT-NNRT000100-MinMaxCalibration', scales });
  const lines = text.split('\n');
  assert.equal(lines[0], 'TRT-NNRT000100-MinMaxCalibration');
  assert.equal(lines.at(-1), '', 'ends with a newline');
  for (const [i, [name, s]] of [...scales].entries()) {
    assert.match(lines[i + 1]!, new RegExp(`^${name.replace('/', '\\/')}: [0-9a-f]{8}$`));
    const buf = Buffer.alloc(4);
    buf.writeFloatBE(s);
    assert.equal(lines[i + 1], `${name}: ${buf.toString('hex')}`);
  }
  const back = parseCalibrationCache(text);
  for (const [name, s] of scales) assert.equal(back.scales.get(name), Math.fround(s));
  assert.equal(scaleToHex(1), '3f800000');
});

function throwsAt(text: string, line: number, pattern: RegExp): void {
  assert.throws(() => parseCalibrationCache(text, 'm.calib'), (e: unknown) => {
    assert.ok(e instanceof CalibrationError, String(e));
    assert.match(e.message, new RegExp(`line ${line}\\b`));
    assert.equal(e.where, `m.calib:${line}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test('malformed caches name the line', () => {
  throwsAt('', 1, /header/);
  throwsAt('input: 3c010a14\n', 1, /header/);
  throwsAt('TRT-8601-EntropyCalibration2\na: 3c010a14\nb 3c010a14\n', 3, /tensor_name: <hex scale>/);
  throwsAt('TRT-8601-EntropyCalibration2\na: 3c010a14\nb: 3c01zz14\n', 3, /not/);
  throwsAt('TRT-8601-EntropyCalibration2\na: 123456789\n', 2, /not/);
  throwsAt('TRT-8601-EntropyCalibration2\n: 3c010a14\n', 2, /not/);
  throwsAt('TRT-8601-EntropyCalibration2\na: 7fc00000\n', 2, /NaN/);
  throwsAt('TRT-8601-EntropyCalibration2\na: bf800000\n', 2, /-1/);
  throwsAt('TRT-8601-EntropyCalibration2\na: 3c010a14\n\na: 3c010a14\n', 4, /repeats tensor 'a' \(first on line 2\)/);
  // a truncated last line (no newline, cut inside the hex is still hex; cut before it is not)
  throwsAt('TRT-8601-EntropyCalibration2\na: 3c010a14\nb:', 3, /not/);
});

test('a cache for another model names the line of the first foreign tensor; a missing tensor is named', () => {
  const c = parseCalibrationCache('TRT-8601-EntropyCalibration2\nx: 3c010a14\nconv_out: 3c010a14\nfc_out: 3c010a14\n', 'other.calib');
  assert.throws(() => checkCacheFits(c, new Set(['x', 'fc_out']), ['x']), (e: unknown) => e instanceof CalibrationError && /line 3 names tensor 'conv_out'/.test(e.message) && e.where === 'other.calib:3');
  assert.throws(() => checkCacheFits(c, new Set(['x', 'conv_out', 'fc_out', 'relu_out']), ['x', 'relu_out']), (e: unknown) => e instanceof CalibrationError && /no scale for tensor 'relu_out'/.test(e.message));
  checkCacheFits(c, new Set(['x', 'conv_out', 'fc_out']), ['x', 'conv_out', 'fc_out']);
});

test('a tensor name with a line break cannot be written', () => {
  assert.throws(() => formatCalibrationCache({ header: 'TRT-1-X', scales: new Map([['a\nb', 1]]) }), CalibrationError);
});
