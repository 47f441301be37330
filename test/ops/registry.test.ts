// The one registration point: registerOp(def, { cpu, webgpu }) refuses a second registration of
// an op with a typed error, and a bound node's kernels run with the attributes parsed once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RegistrationError } from '../../src/errors.js';
import { attr } from '../../src/ir/attr.js';
import type { Node } from '../../src/ir/graph.js';
import { defineOp, hasKernel, listOps, registerOp } from '../../src/ops/index.js';
import { bindNode } from '../../src/ops/typer.js';
import { Relu } from '../../src/ops/relu/relu.op.js';
import { Tensor } from '../../src/tensor/tensor.js';

const Scale = defineOp({
  type: 'ScaleForRegistryTest', domain: 'nnrt.test', attrs: { by: attr.float(2) }, inputs: [1, 1], outputs: [1, 1],
  infer: ([x]) => [{ dtype: x!.dtype, shape: [...x!.shape] }],
});

test('registerOp refuses a second registration of the same op with a RegistrationError', () => {
  assert.throws(() => registerOp(Relu, {}), (e: unknown) => e instanceof RegistrationError && /Relu.*registered twice/.test(e.message));
});

test('a registered op binds its attributes once; its CPU kernel sees them typed', () => {
  registerOp(Scale, {
    // `by` is a number here without a cast: the kernel is typed by the op's schema
    cpu: ([x], { by }) => [new Tensor('float32', x!.shape, Float32Array.from(x!.data as Float32Array, (v) => v * by))],
  });
  assert.ok(listOps('nnrt.test').includes('ScaleForRegistryTest'));
  assert.equal(hasKernel('cpu', 'nnrt.test', 'ScaleForRegistryTest'), true);
  assert.equal(hasKernel('webgpu', 'nnrt.test', 'ScaleForRegistryTest'), false);
  const node: Node = { name: 's', opType: 'ScaleForRegistryTest', domain: 'nnrt.test', inputs: ['x'], outputs: ['y'], attrs: { by: { type: 'float', value: 3 } } };
  const b = bindNode(node);
  const x = new Tensor('float32', [2], new Float32Array([1, -2]));
  const [y] = b.op.cpu!([x], b.op.infer([x], 1));
  assert.deepEqual([...(y!.data as Float32Array)], [3, -6]);
});

test('the built-in ops carry their WebGPU kernels in the same registration', () => {
  for (const op of ['Relu', 'Add', 'MatMul', 'Conv', 'Softmax', 'Reshape', 'ReduceSum', 'TopK']) assert.equal(hasKernel('webgpu', '', op), true, op);
  assert.equal(hasKernel('webgpu', '', 'Unique'), false, 'an op with a CPU kernel only');
  assert.equal(hasKernel('cpu', '', 'Unique'), true);
});
