// Control flow (If, Loop, Scan), sequences, optionals and strings: the ONNX backend node tests of
// ../shared/fixtures/onnx-node-full, a nested If-in-Loop model against onnxruntime-node, and bad
// graphs that must fail with typed errors naming the node, quickly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExecutionError, GraphError, NnrtError, ShapeError } from '../../src/errors.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { hashGraph } from '../../src/ir/hash.js';
import { ATTR_TYPE, ModelProto, ONNX_DTYPE } from '../../src/onnx/proto.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { conformanceTests, foldersMatching, FULL_FIXTURES } from '../helpers/conformance.js';
import { runOrt } from '../helpers/ort-reference.js';

const CONTROL_FLOW = /^test_(if|loop|scan|range_.*_expanded$|affine_grid_.*_expanded$|sequence_|split_to_sequence|optional_|identity_(opt|sequence)$)/;
const STRINGS = /^test_(string_|strnormalizer|regex_full_match|equal_string)/;
conformanceTests('control flow', foldersMatching(CONTROL_FLOW, FULL_FIXTURES), 'cpu', FULL_FIXTURES);
conformanceTests('strings', foldersMatching(STRINGS, FULL_FIXTURES), 'cpu', FULL_FIXTURES);

/** A typed error (class, message, where) within a time bound: bad input never hangs. */
async function rejectsQuickly(run: () => Promise<unknown>, Err: typeof NnrtError, message: RegExp, where: RegExp): Promise<void> {
  const start = Date.now();
  await assert.rejects(run, (e: unknown) => {
    assert.ok(e instanceof Err, `expected ${Err.name}, got ${String(e)}`);
    assert.match(e.message, message);
    assert.match(e.where ?? '', where);
    return true;
  });
  assert.ok(Date.now() - start < 20_000, `took ${Date.now() - start} ms`);
}

const f32 = (shape: number[], values: number[]) => Tensor.fromNumeric('float32', shape, values);
const i64 = (v: number | bigint) => new Tensor('int64', [], BigInt64Array.of(BigInt(v)));
const bool = (v: boolean) => Tensor.fromNumeric('bool', [], [v ? 1 : 0]);
const graphAttr = (g: Graph) => ({ type: 'graph' as const, value: g });

/** A subgraph with no inputs whose one output is `build`'s result. */
function branch(name: string, build: (b: GraphBuilder) => string): Graph {
  const b = new GraphBuilder(name);
  b.output(build(b));
  return b.graph;
}

/** Loop(M, cond, x) whose body adds `one` (an outer value) to x and passes the condition through. */
function countingLoop(tripCount: Tensor | undefined): Graph {
  const b = new GraphBuilder('main');
  const x = b.input('x', 'float32', [1]);
  const one = b.constant('one', f32([1], [1]));
  const m = tripCount ? b.constant('m', tripCount) : '';
  const cond = b.constant('cond', bool(true));
  const body = new GraphBuilder('body');
  body.input('i', 'int64', []);
  const c = body.input('c', 'bool', []);
  const xin = body.input('x_in', 'float32', [1]);
  body.output(body.op('Identity', [c]));
  body.output(body.op('Add', [xin, one]));
  b.output(b.op('Loop', [m, cond, x], { body: graphAttr(body.graph) }, 'loop'));
  return b.graph;
}

function ifGraph(then: Graph, els: Graph, outputs = 1): Graph {
  const b = new GraphBuilder('main');
  const c = b.input('c', 'bool', []);
  const outs = b.ops('If', [c], { then_branch: graphAttr(then), else_branch: graphAttr(els) }, outputs, 'if');
  for (const o of outs) b.output(o);
  return b.graph;
}

// bad input fails alike on the CPU and on WebGPU (where control flow runs as host steps)
for (const device of ['cpu', 'webgpu'] as const) {
  if (device === 'webgpu') process.env.XDG_RUNTIME_DIR ??= '/tmp/xdg-nnrt-tests';
  test(`${device}: a Loop with a huge trip count stops at maxLoopIterations with an ExecutionError naming the node`, async () => {
    const s = await createSession(countingLoop(i64(2n ** 62n)), { maxLoopIterations: 1000, device });
    await rejectsQuickly(() => s.run({ x: f32([1], [0]) }), ExecutionError, /ran 1000 iterations.*limit \(maxLoopIterations\)/, /node 'loop' \(Loop\)/);
  });

  test(`${device}: a Loop without trip count whose condition stays true stops at the limit too`, async () => {
    const s = await createSession(countingLoop(undefined), { maxLoopIterations: 500, device });
    await rejectsQuickly(() => s.run({ x: f32([1], [0]) }), ExecutionError, /ran 500 iterations/, /node 'loop'/);
  });

  test(`${device}: a negative maxLoopIterations is refused`, async () => {
    await assert.rejects(() => createSession(countingLoop(i64(3)), { maxLoopIterations: -1, device }), NnrtError);
  });

  test(`${device}: If branches with different output counts are a GraphError naming the If node`, async () => {
    const then = branch('then', (b) => b.constant('t', f32([1], [1])));
    const els = branch('else', (b) => b.constant('e', f32([1], [2])));
    els.outputs.push({ name: els.outputs[0]!.name });
    await rejectsQuickly(() => createSession(ifGraph(then, els), { device }), GraphError, /else_branch has 2 outputs; the If node has 1/, /node 'if' \(If\)/);
  });

  test(`${device}: If branches declaring different output types are a GraphError naming the If node`, async () => {
    const then = branch('then', (b) => b.constant('t', f32([1], [1])));
    const els = branch('else', (b) => b.constant('e', i64(2)));
    then.outputs[0] = { ...then.outputs[0]!, dtype: 'float32', shape: [1] };
    els.outputs[0] = { ...els.outputs[0]!, dtype: 'int64', shape: [] };
    await rejectsQuickly(() => createSession(ifGraph(then, els), { device }), GraphError, /differ: float32 vs int64/, /node 'if'/);
  });

  test(`${device}: a subgraph reading a value defined nowhere in scope is a GraphError naming both nodes`, async () => {
    const then = branch('then', (b) => b.op('Relu', ['nowhere'], {}, 'reads_nowhere'));
    const els = branch('else', (b) => b.constant('e', f32([1], [2])));
    await rejectsQuickly(() => createSession(ifGraph(then, els), { device }), GraphError, /'nowhere' is not a graph input.*enclosing graph/, /node 'reads_nowhere'.*subgraph of node 'if'/);
  });

  test(`${device}: a cycle inside a subgraph is a GraphError naming the enclosing node`, async () => {
    const then = new GraphBuilder('then');
    then.graph.nodes.push(
      { name: 'p', opType: 'Relu', domain: '', inputs: ['b'], outputs: ['a'], attrs: {} },
      { name: 'q', opType: 'Relu', domain: '', inputs: ['a'], outputs: ['b'], attrs: {} },
    );
    then.output('a');
    const els = branch('else', (b) => b.constant('e', f32([1], [2])));
    await rejectsQuickly(() => createSession(ifGraph(then.graph, els), { device }), GraphError, /the subgraph has a cycle/, /node '[pq]'.*subgraph of node 'if'/);
  });

  test(`${device}: SequenceAt out of range is a ShapeError naming the node`, async () => {
    const b = new GraphBuilder('main');
    const x = b.input('x', 'float32', [2]);
    const seq = b.op('SequenceConstruct', [x, x]);
    b.output(b.op('SequenceAt', [seq, b.constant('at', i64(5))], {}, 'at5'));
    const s = await createSession(b.graph, { device });
    await rejectsQuickly(() => s.run({ x: f32([2], [1, 2]) }), ShapeError, /position 5 is out of range for a sequence of 2/, /node 'at5'/);
  });
}

test('the graph hash covers subgraphs: a branch constant changes it, renaming values does not', () => {
  const make = (v: number, prefix: string) => {
    const then = branch(`${prefix}then`, (b) => b.op('Add', [`${prefix}x`, b.constant(`${prefix}k`, f32([1], [v]))]));
    const els = branch(`${prefix}else`, (b) => b.op('Neg', [`${prefix}x`]));
    const b = new GraphBuilder('main');
    b.input(`${prefix}x`, 'float32', [1]);
    const c = b.input(`${prefix}c`, 'bool', []);
    b.output(b.op('If', [c], { then_branch: graphAttr(then), else_branch: graphAttr(els) }, `${prefix}if`));
    return b.graph;
  };
  assert.equal(hashGraph(make(1, 'a_')), hashGraph(make(1, 'b_')));
  assert.notEqual(hashGraph(make(1, 'a_')), hashGraph(make(2, 'a_')));
});

// --- a nested If in a Loop, against onnxruntime-node ----------------------------------------------

const F = ONNX_DTYPE.FLOAT;
const vi = (name: string, elemType: number, dims: number[]) => ({ name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
const node = (opType: string, input: string[], output: string[], attribute: object[] = []) => ({ name: output[0], opType, input, output, attribute });
const scalarInit = (name: string, dataType: number, v: number | string) =>
  ({ name, dims: [], dataType, ...(dataType === ONNX_DTYPE.INT64 ? { int64Data: [v] } : { int32Data: [v] }) });

/**
 * y, ys = Loop(M = 2^62, cond = true, x): body(i, c, x_in) = (i < 3, v, v) with
 * v = If(i < 1) then x_in + a else x_in * a, where `a` is a model input read two scopes down and
 * `three`, `one` are initializers of the outer graph. It runs 4 iterations; ys stacks each v.
 */
function nestedModel(): Uint8Array {
  const then = { name: 'then', node: [node('Add', ['x_in', 'a'], ['t'])], output: [vi('t', F, [2])] };
  const els = { name: 'else', node: [node('Mul', ['x_in', 'a'], ['e'])], output: [vi('e', F, [2])] };
  const body = {
    name: 'body',
    input: [vi('i', ONNX_DTYPE.INT64, []), vi('c', ONNX_DTYPE.BOOL, []), vi('x_in', F, [2])],
    node: [
      node('Less', ['i', 'three'], ['keep']),
      node('Less', ['i', 'one'], ['first']),
      node('If', ['first'], ['v'], [
        { name: 'then_branch', type: ATTR_TYPE.GRAPH, g: then },
        { name: 'else_branch', type: ATTR_TYPE.GRAPH, g: els },
      ]),
      node('Identity', ['v'], ['v_scan']),
    ],
    output: [vi('keep', ONNX_DTYPE.BOOL, []), vi('v', F, [2]), vi('v_scan', F, [2])],
  };
  const msg = ModelProto.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 18 }],
    graph: {
      name: 'nested',
      input: [vi('x', F, [2]), vi('a', F, [2])],
      initializer: [
        scalarInit('m', ONNX_DTYPE.INT64, String(2n ** 62n)), scalarInit('cond', ONNX_DTYPE.BOOL, 1),
        scalarInit('three', ONNX_DTYPE.INT64, 3), scalarInit('one', ONNX_DTYPE.INT64, 1),
      ],
      node: [node('Loop', ['m', 'cond', 'x'], ['y', 'ys'], [{ name: 'body', type: ATTR_TYPE.GRAPH, g: body }])],
      output: [{ name: 'y' }, { name: 'ys' }],
    },
  });
  return new Uint8Array(ModelProto.encode(msg).finish());
}

test('a nested If in a Loop reading outer values matches onnxruntime', async () => {
  const model = nestedModel();
  const feeds = { x: f32([2], [1, -2]), a: f32([2], [3, 0.5]) };
  const want = await runOrt(model, feeds);
  for (const device of ['cpu', 'webgpu'] as const) {
    if (device === 'webgpu') process.env.XDG_RUNTIME_DIR ??= '/tmp/xdg-nnrt-tests';
    const s = await createSession(importOnnx(model).graph, { device });
    const got = await s.run(feeds);
    s.dispose();
    assert.deepEqual(got.ys!.shape, [4, 2], device);
    for (const k of ['y', 'ys']) assert.ok(compareTensors(got[k]!, want[k]!, { atol: 1e-6, rtol: 1e-6 }).pass, `${device} ${k}`);
  }
});

test('the nested model exports to ONNX with its subgraphs and onnxruntime runs the export alike', async () => {
  const { exportOnnx } = await import('../../src/onnx/export/model.js');
  const model = nestedModel();
  const exported = exportOnnx(importOnnx(model).graph, { opset: 18 });
  const feeds = { x: f32([2], [0.5, 4]), a: f32([2], [-1, 2]) };
  const want = await runOrt(model, feeds);
  const got = await runOrt(exported, feeds);
  for (const k of ['y', 'ys']) assert.ok(compareTensors(got[k]!, want[k]!, { atol: 0, rtol: 0 }).pass, k);
});

test('Cast between strings and numbers matches onnxruntime', async () => {
  const { oneNodeModel } = await import('../helpers/ort-reference.js');
  const text = new Tensor('string', [5], ['1.5', '-2e3', ' 7 ', 'INF', '-inf']);
  const toFloat = oneNodeModel({ op: 'Cast', attrs: { to: ONNX_DTYPE.FLOAT }, inputs: { x: text }, inputOrder: ['x'], outputs: ['y'] });
  const nums = f32([4], [0.5, -3, 100, 0.25]);
  const toText = oneNodeModel({ op: 'Cast', attrs: { to: ONNX_DTYPE.STRING }, inputs: { x: nums }, inputOrder: ['x'], outputs: ['y'] });
  for (const [model, feeds] of [[toFloat, { x: text }], [toText, { x: nums }]] as const) {
    const want = (await runOrt(model, feeds)).y!;
    const s = await createSession(importOnnx(model).graph);
    const got = (await s.run(feeds)).y!;
    assert.ok(compareTensors(got, want, { atol: 0, rtol: 0 }).pass, `${got.data} vs ${want.data}`);
  }
});
