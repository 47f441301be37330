// .params save/load in Gluon's key styles, typed errors for files that do not fit, and the model store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError, UsageError } from '../../src/errors.js';
import { writeParams, readParams } from '../../src/mxnet/params.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { HybridSequential } from '../../src/nn/block.js';
import { BatchNorm, Dense } from '../../src/nn/layers/basic.js';
import { Conv2D } from '../../src/nn/layers/conv.js';
import { vision } from '../../src/zoo/vision.js';

const small = () => {
  const net = new HybridSequential();
  net.scoped(() => net.add(new Conv2D({ channels: 4, kernelSize: 3, inChannels: 3 }), new BatchNorm(), new Dense({ units: 5 })));
  return net;
};
const x = Tensor.fromArray([1, 3, 6, 6], Array.from({ length: 108 }, (_, i) => Math.cos(i)));

test('saveParameters writes structural names; a fresh net (other prefix) loads them and computes the same', async () => {
  const a = small().initialize({ seed: 3 });
  const ya = await a.call(x);
  const bytes = a.saveParameters();
  assert.deepEqual(readParams(bytes).arrays.map((r) => r.name), ['0.weight', '0.bias', '1.gamma', '1.beta', '1.running_mean', '1.running_var', '2.weight', '2.bias']);
  const b = small().loadParameters(bytes);
  assert.notEqual(a.prefix, b.prefix);
  assert.deepEqual((await b.call(x)).toNumbers(), ya.toNumbers());
});

test('full names with arg:/aux: (export) and prefix-less names (the model store) load', async () => {
  const a = small().initialize({ seed: 4 });
  const ya = (await a.call(x)).toNumbers();
  const params = [...a.collectParams().values()];
  const exported = writeParams({ named: true, arrays: params.map((p) => ({ name: `${p.kind}:${p.name}`, tensor: p.data() })) });
  a.initialize({ seed: 99, force: true });
  assert.notDeepEqual((await a.call(x)).toNumbers(), ya);
  assert.deepEqual((await a.loadParameters(exported).call(x)).toNumbers(), ya);
  const stripped = writeParams({ named: true, arrays: params.map((p) => ({ name: p.name.slice(a.prefix.length), tensor: p.data() })) });
  assert.deepEqual((await small().loadParameters(stripped).call(x)).toNumbers(), ya);
});

test('missing, extra and wrong-shaped parameters are typed errors naming the parameter', async () => {
  const a = small().initialize({ seed: 5 });
  await a.call(x); // completes the deferred (in_channels=0) shapes
  const arrays = [...a.structuralParams()].map(([name, p]) => ({ name, tensor: p.data() as Tensor }));
  const file = (xs: typeof arrays) => writeParams({ named: true, arrays: xs });
  assert.throws(() => small().loadParameters(file(arrays.filter((r) => r.name !== '1.running_var'))), (e: Error) => e instanceof UsageError && /'1\.running_var'.*missing/.test(e.message));
  assert.throws(() => small().loadParameters(file([...arrays, { name: '3.weight', tensor: Tensor.fromArray([1], [0]) }])), (e: Error) => e instanceof UsageError && /'3\.weight'.*not in block/.test(e.message));
  const bad = arrays.map((r) => (r.name === '0.weight' ? { name: r.name, tensor: Tensor.fromArray([4, 3, 2, 2], new Array(48).fill(0)) } : r));
  assert.throws(() => small().loadParameters(file(bad)), (e: Error) => e instanceof ShapeError && /'0\.weight'.*\[4,3,3,3\].*\[4,3,2,2\]/.test(e.message));
  // allowMissing / ignoreExtra relax the checks
  small().loadParameters(file([...arrays.slice(1), { name: 'extra', tensor: Tensor.fromArray([1], [0]) }]), { allowMissing: true, ignoreExtra: true });
});

test("pretrained: true reads MXNet's file name from the store, and says which file to put where when absent", async () => {
  const empty = { read: () => undefined, describe: (f: string) => `looked for /models/${f}` };
  assert.throws(() => vision.resnet18_v2({ pretrained: true, store: empty }), (e: Error) => e instanceof UsageError && e.message.includes('/models/resnet18_v2-a81db45f.params'));
  const src = vision.cifar_resnet20_v1().initialize({ seed: 1 });
  src.trace({ dtype: 'float32', shape: [1, 3, 32, 32] }); // completes the deferred shapes
  const files = new Map([['/tmp/w.params', src.saveParameters()]]);
  const net = vision.cifar_resnet20_v1({ pretrained: '/tmp/w.params', store: { read: (f) => files.get(f), describe: (f) => f } });
  assert.deepEqual(net.collectParams().size, src.collectParams().size);
  assert.deepEqual([...net.structuralParams().values()][0]!.data().toNumbers(), [...src.structuralParams().values()][0]!.data().toNumbers());
});
