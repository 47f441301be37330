// Bad input through the real CLI: each case exits 2 with a typed error that says what and where,
// never a crash or a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeTensorProto } from '../../src/onnx/tensor-write.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { smallCnnModel } from '../helpers/small-model.js';
import { elementCount } from '../../src/tensor/shape.js';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'nnrt-bad-'));
const file = (name: string, bytes: Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function expectTyped(r: ReturnType<typeof cli>, kind: string, ...mentions: RegExp[]) {
  assert.equal(r.code, 2, `exit code 2, got ${r.code}; stderr: ${r.err}`);
  assert.match(r.err, new RegExp(`^nnrt: ${kind}: `), r.err);
  assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
  for (const m of mentions) assert.match(r.err, m);
}

const good = smallCnnModel();
const x = (shape: number[], dtype: 'float32' | 'int32' = 'float32') => file(`x_${dtype}_${shape.join('x')}.pb`, encodeTensorProto('x', Tensor.fromNumeric(dtype, shape, new Array(elementCount(shape)).fill(0.5))));

test('a missing model file', () => {
  expectTyped(cli('inspect', join(dir, 'nope.onnx')), 'UsageError', /nope\.onnx' does not exist/);
});

test('a truncated model', () => {
  expectTyped(cli('inspect', file('trunc.onnx', good.subarray(0, Math.floor(good.length * 0.6)))), 'ParseError', /not a valid ONNX model/, /trunc\.onnx/);
});

test('a model with a corrupted first byte', () => {
  const bad = new Uint8Array(good);
  bad[0] = 0xff; // field 31, wire type 7: invalid
  expectTyped(cli('inspect', file('flip.onnx', bad)), 'ParseError', /flip\.onnx/);
});

test('an unknown op names node, op, domain, opset and the supported ops', () => {
  const r = cli('run', file('unknown.onnx', smallCnnModel({ opType: 'FancyOp' })), '--input', `x=${x([1, 2, 6, 6])}`);
  expectTyped(r, 'UnsupportedError', /unknown op 'FancyOp'/, /ai\.onnx/, /opset 13/, /node 'relu'/, /supported ops: .*Relu/);
});

test('a missing initializer names the value and the node', () => {
  expectTyped(cli('run', file('noinit.onnx', smallCnnModel({ dropInitializer: 'fw' })), '--input', `x=${x([1, 2, 6, 6])}`), 'GraphError', /'fw'/, /node 'fc'/);
});

test('an input of the wrong shape or dtype names the input, expected and given', () => {
  const m = file('good.onnx', good);
  expectTyped(cli('run', m, '--input', `x=${x([1, 2, 5, 6])}`), '\\w+Error', /input 'x'/, /6/, /5/);
  expectTyped(cli('run', m, '--input', `x=${x([1, 2, 6, 6], 'int32')}`), 'InputError', /input 'x' must be float32, got int32/);
  expectTyped(cli('run', m, '--input', `y=${x([1, 2, 6, 6])}`), 'InputError', /no input 'y'/, /takes x/);
});

test('bad options exit 2 with usage help', () => {
  const r = cli('verify', 'model.onnx', '--device', 'tpu');
  assert.equal(r.code, 2);
  assert.match(r.err, /Allowed choices are cpu, webgpu/);
  assert.equal(cli('frobnicate').code, 2);
  assert.equal(cli('verify', 'm.onnx', '--atol', '-1').code, 2);
});

test('bad NNRT_CPU_* settings in the environment: usage errors naming each variable, before any command', () => {
  for (const [name, value, says] of [
    ['NNRT_CPU_THREADS', 'abc', /NNRT_CPU_THREADS must be a positive integer, got 'abc'/],
    ['NNRT_CPU_SPIN_US', '-5', /NNRT_CPU_SPIN_US must be an integer from 0 to 100000, got '-5'/],
    ['NNRT_CPU_RELAXED_SIMD', 'yes', /NNRT_CPU_RELAXED_SIMD must be 0 or 1, got 'yes'/],
  ] as const) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'inspect', join(dir, 'nope.onnx')], { encoding: 'utf8', cwd: root, env: { ...process.env, [name]: value } });
    expectTyped({ code: r.status, out: r.stdout, err: r.stderr }, 'UsageError', says);
  }
});
