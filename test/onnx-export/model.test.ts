// The exported ModelProto itself: order, names, opset and IR version, typed attributes,
// initializers, value_info, errors for what an opset lacks, and external data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { UnsupportedError, UsageError } from '../../src/errors.js';
import { Graph, type Node } from '../../src/ir/graph.js';
import { exportOnnx, exportOnnxWithData } from '../../src/onnx/export/model.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { ModelProto, ONNX_DTYPE, TensorProto, toNum, type ModelMsg, type TensorProtoMsg } from '../../src/onnx/proto.js';
import { loadOnnxFile } from '../../src/node/files.js';
import { saveOnnx } from '../../src/node/onnx-save.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';
import { assertClose, runGraph } from './helpers.js';

const node = (name: string, opType: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node =>
  ({ name, opType, domain: '', inputs, outputs, attrs });

/** x[2,3,4] → Reshape([0,-1]) → Gemm(·, w) → Relu → Softmax(axis 1), nodes listed out of order, two unnamed. */
function smallNet(): Graph {
  return new Graph({
    name: 'small',
    nodes: [
      node('', 'Softmax', ['r'], ['y'], { axis: { type: 'int', value: 1 } }),
      node('', 'Relu', ['g'], ['r']),
      node('gemm', 'Gemm', ['flat', 'w'], ['g'], { beta: { type: 'int', value: 1 } }), // int for a float attribute
      node('reshape', 'Reshape', ['x', 'shape'], ['flat']),
    ],
    inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3, 4] }],
    outputs: [{ name: 'y' }],
    initializers: new Map<string, Tensor>([
      ['shape', Tensor.fromNumeric('int64', [2], [0, -1])],
      ['w', randomTensor([12, 5], 31)],
    ]),
  });
}

const decode = (bytes: Uint8Array) => ModelProto.decode(bytes) as unknown as ModelMsg;

test('an exported model is valid ONNX: topological order, unique names, opset, IR version, types', async () => {
  const g = smallNet();
  const bytes = exportOnnx(g, { opset: 13, producerName: 'export-test' });
  const m = decode(bytes);
  assert.deepEqual(m.opsetImport.map((o) => [o.domain, toNum(o.version)]), [['', 13]]);
  assert.equal(toNum(m.irVersion), 7);
  assert.equal(m.producerName, 'export-test');
  const graph = m.graph!;
  assert.deepEqual(graph.node.map((n) => n.opType), ['Reshape', 'Gemm', 'Relu', 'Softmax']);
  const names = graph.node.map((n) => n.name);
  assert.ok(names.every(Boolean) && new Set(names).size === names.length, `node names ${names.join(', ')}`);
  const beta = graph.node[1]!.attribute.find((a) => a.name === 'beta')!;
  assert.equal(beta.type, 1, 'beta is written as a FLOAT attribute');
  const shape = graph.initializer.find((t) => t.name === 'shape')!;
  assert.equal(shape.dataType, ONNX_DTYPE.INT64, 'int64 initializers stay int64');
  assert.deepEqual(graph.input.map((v) => v.name), ['x']);
  const out = graph.output[0]!.type!.tensorType!;
  assert.equal(out.elemType, ONNX_DTYPE.FLOAT);
  assert.deepEqual(out.shape!.dim.map((d) => toNum(d.dimValue)), [2, 5]);
  assert.deepEqual(graph.valueInfo.map((v) => v.name).sort(), ['flat', 'g', 'r']);
  const feeds = { x: randomTensor([2, 3, 4], 32) };
  assertClose(await runOrt(bytes, feeds), await runGraph(smallNet(), feeds), 'small net exported at opset 13');
});

test('symbolic dims of inputs and outputs are preserved', () => {
  const g = new Graph({
    nodes: [node('relu', 'Relu', ['x'], ['y'])],
    inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 3, '?1'] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', 3, '?1'] }],
  });
  const m = decode(exportOnnx(g, { opset: 18 }));
  for (const v of [m.graph!.input[0]!, m.graph!.output[0]!]) {
    const dims = v.type!.tensorType!.shape!.dim;
    assert.equal(dims[0]!.dimParam, 'batch');
    assert.equal(toNum(dims[1]!.dimValue), 3);
    assert.ok(!dims[2]!.dimParam && !toNum(dims[2]!.dimValue), 'an unnamed dim stays unknown');
  }
  const back = importOnnx(exportOnnx(g, { opset: 18 })).graph;
  assert.equal(back.inputs[0]!.shape[0], 'batch');
});

test('ops and forms a target opset lacks are refused, naming op, node and opset', () => {
  const one = (n: Node) => new Graph({
    nodes: [n], inputs: [{ name: 'x', dtype: 'float32', shape: [1, 4, 3, 3] }], outputs: [{ name: 'y' }],
    initializers: new Map<string, Tensor>([['p', Tensor.fromNumeric('int64', [8], [0, 0, 1, 1, 0, 0, 1, 1])], ['s', Tensor.fromArray([4], [1, 1, 2, 2])]]),
  });
  const refused = (g: Graph, opset: number, pattern: RegExp) =>
    assert.throws(() => exportOnnx(g, { opset }), (e: unknown) => e instanceof UnsupportedError && pattern.test(e.message));
  refused(one(node('hs', 'HardSwish', ['x'], ['y'])), 13, /'HardSwish' does not exist in ONNX opset 13.*node 'hs'/);
  refused(one(node('pad', 'Pad', ['x', 'p'], ['y'], { mode: { type: 'string', value: 'wrap' } })), 18, /Pad mode 'wrap'.*opset 18.*node 'pad'/);
  const resize = node('rs', 'Resize', ['x', '', 's'], ['y'], { coordinate_transformation_mode: { type: 'string', value: 'half_pixel_symmetric' } });
  refused(one(resize), 17, /half_pixel_symmetric.*opset 17.*node 'rs'/);
  refused(one(node('f', 'FancyOp', ['x'], ['y'])), 18, /no ONNX exporter for op 'FancyOp'.*node 'f'/);
  refused(one({ ...node('e', 'Engine', ['x'], ['y']), domain: 'nnrt' }), 18, /nnrt's own op 'Engine'/);
  const relu = one(node('r', 'Relu', ['x'], ['y']));
  for (const opset of [10, 26]) refused(relu, opset, new RegExp(`opset ${opset}`));
});

test('external data: saveOnnx writes the model and its data file; onnxruntime and nnrt load them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnrt-export-'));
  try {
    const path = join(dir, 'small.onnx');
    saveOnnx(path, smallNet(), { opset: 18, externalDataThreshold: 64 });
    assert.deepEqual(readdirSync(dir).sort(), ['small.onnx', 'small.onnx.data'], 'no temporary files are left');
    const w = decode(exportOnnxWithData(smallNet(), { opset: 18, externalDataThreshold: 64 }).model).graph!.initializer.find((t) => t.name === 'w')!;
    assert.equal(w.dataLocation, 1);
    assert.deepEqual(Object.fromEntries(w.externalData.map((e) => [e.key, e.value])), { location: 'model.onnx.data', offset: '0', length: '240' });
    const feeds = { x: randomTensor([2, 3, 4], 33) };
    const want = await runGraph(smallNet(), feeds);
    const session = await ort.InferenceSession.create(path);
    const y = (await session.run({ x: new ort.Tensor('float32', feeds.x.data, [2, 3, 4]) })).y!;
    assertClose({ y: new Tensor('float32', y.dims as number[], y.data as Float32Array) }, want, 'onnxruntime on the saved model');
    await session.release();
    assertClose(await runGraph(loadOnnxFile(path).graph, feeds), want, 'nnrt on the saved model');
    assert.throws(() => exportOnnx(smallNet(), { opset: 18, externalDataThreshold: 64 }), UsageError);
    assert.throws(() => saveOnnx(join(dir, 'bad.onnx'), smallNet(), { opset: 18, externalDataThreshold: 64, externalDataLocation: '../w.bin' }), UsageError);
    assert.ok(!existsSync(join(dir, 'bad.onnx')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('attributes of every type survive export and re-import', () => {
  const value = Tensor.fromNumeric('float32', [1], [2.5]);
  const attrs: Node['attrs'] = {
    f: { type: 'float', value: 0.25 }, i: { type: 'int', value: -3 }, s: { type: 'string', value: 'mode' },
    t: { type: 'tensor', value }, fs: { type: 'floats', value: [0.5, 1.5] }, is: { type: 'ints', value: [1, 2 ** 40] },
    ss: { type: 'strings', value: ['a', 'b'] },
  };
  // an op of a custom domain passes through with its attributes (the exporter keeps its opset)
  const g = new Graph({
    nodes: [{ name: 'c', opType: 'Custom', domain: 'com.example', inputs: ['x'], outputs: ['y'], attrs }],
    inputs: [{ name: 'x', dtype: 'float32', shape: [1] }], outputs: [{ name: 'y' }],
    opsets: new Map([['', 18], ['com.example', 3]]),
  });
  const m = decode(exportOnnx(g, { opset: 18 }));
  assert.deepEqual(m.opsetImport.map((o) => [o.domain, toNum(o.version)]), [['', 18], ['com.example', 3]]);
  const back = importOnnx(exportOnnx(g, { opset: 18 })).graph.nodes[0]!.attrs;
  assert.deepEqual({ ...back, t: undefined }, { ...attrs, t: undefined });
  assert.deepEqual([...(back.t!.value as Tensor).numeric()], [2.5]);
});

const FIXTURES = '/work/shared/fixtures/onnx-node';
const ORT_TYPE: Record<number, [ort.Tensor.Type, (b: ArrayBuffer) => ort.Tensor.DataType]> = {
  [ONNX_DTYPE.UINT16]: ['uint16', (b) => new Uint16Array(b)],
  [ONNX_DTYPE.INT16]: ['int16', (b) => new Int16Array(b)],
  [ONNX_DTYPE.UINT64]: ['uint64', (b) => new BigUint64Array(b)],
  [ONNX_DTYPE.FLOAT]: ['float32', (b) => new Float32Array(b)],
};

// Types the importer widens (uint16 → int32, uint64 → int64, ...) are written back as declared.
for (const [folder, opset] of [['test_add_uint16', 18], ['test_add_uint64', 14], ['test_dequantizelinear_int16', 25]] as const) {
  const dir = join(FIXTURES, folder);
  const skip = existsSync(join(dir, 'model.onnx')) ? false : `${dir} is absent (ONNX backend node tests)`;
  test(`${folder}: declared element types survive import → export (opset ${opset})`, { skip }, async () => {
    const bytes = exportOnnx(loadOnnxFile(join(dir, 'model.onnx')).graph, { opset });
    const feeds: Record<string, ort.Tensor> = {};
    for (const [i, v] of decode(bytes).graph!.input.entries()) {
      const p = TensorProto.decode(readFileSync(join(dir, 'test_data_set_0', `input_${i}.pb`))) as unknown as TensorProtoMsg;
      assert.equal(v.type!.tensorType!.elemType, p.dataType, `input '${v.name}' keeps its declared type`);
      const [type, view] = ORT_TYPE[p.dataType]!;
      feeds[v.name] = new ort.Tensor(type, view(new Uint8Array(p.rawData).buffer), p.dims.map(toNum));
    }
    const session = await ort.InferenceSession.create(bytes);
    const got = Object.values(await session.run(feeds))[0]!;
    await session.release();
    const want = TensorProto.decode(readFileSync(join(dir, 'test_data_set_0', 'output_0.pb'))) as unknown as TensorProtoMsg;
    const gotBytes = new Uint8Array((got.data as ArrayBufferView).buffer, (got.data as ArrayBufferView).byteOffset, (got.data as ArrayBufferView).byteLength);
    assert.deepEqual(gotBytes, new Uint8Array(want.rawData), 'onnxruntime on the export gives the stored output exactly');
  });
}
