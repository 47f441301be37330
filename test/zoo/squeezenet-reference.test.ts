// The zoo's SqueezeNet 1.1 with the weights of torchvision's ONNX export (mapped by order and shape)
// reproduces onnxruntime's reference output: the architecture matches an outside definition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadOnnxFile, readTensorPb } from '../../src/node/files.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { vision } from '../../src/zoo/vision.js';

const dir = new URL('../../../shared/models/squeezenet1_1/', import.meta.url).pathname;

test('zoo squeezenet1_1 with torchvision weights matches the reference output', { skip: existsSync(dir) ? false : `${dir} is absent` }, async () => {
  const { graph } = loadOnnxFile(join(dir, 'model.onnx'));
  // the conv weights and biases in graph order: torchvision's Fire has the same squeeze/expand1x1/expand3x3 order
  // (the TorchScript exporter routes shared weights through Identity nodes)
  const producers = graph.producers();
  const constant = (v: string): Tensor => {
    const p = producers.get(v);
    return p?.opType === 'Identity' ? constant(p.inputs[0]!) : graph.initializers.get(v)!;
  };
  const weights = graph.nodes.filter((n) => n.opType === 'Conv').flatMap((n) => n.inputs.slice(1).map(constant));
  const net = vision.squeezenet1_1();
  const params = [...net.collectParams().values()].filter((p) => p.kind === 'arg');
  assert.equal(params.length, weights.length);
  params.forEach((p, i) => p.setData(weights[i]!));
  const y = await net.call(readTensorPb(join(dir, 'test_data_set_0/input_0.pb')).tensor);
  const cmp = compareTensors(y, readTensorPb(join(dir, 'test_data_set_0/output_0.pb')).tensor, { atol: 1e-4, rtol: 1e-3 });
  assert.ok(cmp.pass, `${cmp.reason ?? ''} max abs ${cmp.maxAbsError}, ${cmp.mismatches} mismatches`);
});
