// The engine end to end on the device (lavapipe here): build a plan for a small CNN → Engine.load →
// execution context, against onnxruntime; plan round trips through bytes; outputs left on the
// device; every refusal a plan load makes (other nnrt, other adapter, other shape, other
// precision, damaged bytes); int8 without a calibration cache refused up front; an fp16 build within its stated tolerance;
// tactic timing with a timing cache on a one-layer-per-op model (the only timed build here: timing
// compiles every candidate kernel, which is slow on a CPU Vulkan driver).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js'; // registers Dawn as the process's GPU
import { buildEnginePlan } from '../../src/engine/builder.js';
import { parsePlan, serializePlan, type EnginePlan } from '../../src/engine/plan-format.js';
import { Engine } from '../../src/engine/runtime.js';
import { TimingCache } from '../../src/engine/timing-cache.js';
import { ExecutionError, InputError, PlanError, UsageError } from '../../src/errors.js';
import { CpuExecutor } from '../../src/executor/executor.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { exportOnnx } from '../../src/onnx/export/model.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import '../../src/ops/index.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { VERSION } from '../../src/version.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';
import { smallCnnModel } from '../helpers/small-model.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());

// x[1,2,6,6] → Conv 3×3 → Relu → MaxPool → Reshape → Gemm → Softmax; y[1,3]
const model = smallCnnModel();
const { graph } = importOnnx(model);
const SHAPES = { x: [1, 2, 6, 6] };
const x1 = randomTensor([1, 2, 6, 6], 7);
const x2 = randomTensor([1, 2, 6, 6], 8, -3, 3);

/**
 * fp16 stores inputs, weights and every intermediate tensor in half precision (relative rounding
 * 2^-11 ≈ 4.9e-4 per stored value) and accumulates in fp32. About five stored values lie on each
 * path to an output, and Softmax turns a logit error e into a relative output error of about e, so
 * the probabilities may be off by a few 1e-3 relative: atol 1e-3, rtol 1e-2.
 */
const FP16_TOLERANCE: Tolerance = { atol: 1e-3, rtol: 1e-2 };

function assertClose(got: Tensor, want: Tensor, tol: Tolerance, what: string): void {
  assert.deepEqual([...got.shape], [...want.shape], `${what}: shape`);
  const c = compareTensors(got, want, tol);
  assert.ok(c.pass, `${what}: max abs ${c.maxAbsError}, max rel ${c.maxRelError}, ${c.mismatches} mismatches ${JSON.stringify(c.firstMismatch)}`);
}

let fp32Plan: EnginePlan | undefined;
/** The fp32 plan of the small CNN, tactic timing off (built once, shared by the tests). */
async function smallPlan(): Promise<EnginePlan> {
  fp32Plan ??= await buildEnginePlan(gpu!, graph, SHAPES, { timeTactics: false });
  return fp32Plan;
}

/** The plan's bytes with its header edited, re-serialized with a valid checksum. */
function withHeader(plan: EnginePlan, edit: (h: EnginePlan['header']) => void): Uint8Array {
  const copy = parsePlan(serializePlan(plan));
  edit(copy.header);
  return serializePlan(copy);
}

test('fp32 plan of a small CNN: Engine.load → context.run equals onnxruntime', { skip }, async () => {
  const plan = await smallPlan();
  assert.equal(plan.header.precision, 'fp32');
  assert.deepEqual(plan.header.inputs, [{ name: 'x', shape: [1, 2, 6, 6] }]);
  assert.deepEqual(plan.header.outputs, [{ name: 'y', shape: [1, 3] }]);
  assert.ok(plan.layers.some((l) => l.from.includes('conv') && l.from.includes('relu')), 'Relu fused into the convolution');
  assert.ok(plan.arenaBytes <= plan.naiveBytes);
  const engine = await Engine.load(gpu!, plan);
  const context = await engine.createExecutionContext();
  // two runs with different inputs: the second must not see anything of the first
  for (const x of [x1, x2]) {
    const want = (await runOrt(model, { x })).y!;
    const got = await context.run({ x });
    assert.deepEqual(Object.keys(got), ['y']);
    assertClose(got.y!, want, FP32_TOLERANCE, 'y');
  }
  context.dispose();
  engine.dispose();
});

test('plan round trip: serialize → parsePlan → load gives the same outputs, bit for bit', { skip }, async () => {
  const plan = await smallPlan();
  const first = await Engine.load(gpu!, plan);
  const bytes = first.serialize();
  const parsed = parsePlan(bytes);
  assert.deepEqual(parsed.header, plan.header);
  assert.deepEqual(parsed.layers, plan.layers);
  assert.deepEqual([...parsed.constants], [...plan.constants]);
  const second = await Engine.load(gpu!, bytes);
  const [a, b] = await Promise.all([first.createExecutionContext(), second.createExecutionContext()]);
  const want = (await a.run({ x: x1 })).y!;
  const got = (await b.run({ x: x1 })).y!;
  assert.deepEqual([...got.data], [...want.data]);
  assertClose(got, (await runOrt(model, { x: x1 })).y!, FP32_TOLERANCE, 'reloaded plan vs onnxruntime');
  for (const c of [a, b]) c.dispose();
  for (const e of [first, second]) e.dispose();
});

test('execute() leaves outputs on the device; read() gives what run() gives', { skip }, async () => {
  const engine = await Engine.load(gpu!, await smallPlan());
  const context = await engine.createExecutionContext();
  const ran = (await context.run({ x: x2 })).y!;
  const out = await context.execute({ x: x1 });
  const y = out.y!;
  assert.deepEqual([...y.shape], [1, 3]);
  assert.ok(y.buffer.size >= 12, 'a device buffer holding three floats');
  const read = await y.read();
  assertClose(read, (await runOrt(model, { x: x1 })).y!, FP32_TOLERANCE, 'read()');
  // the next execute overwrites the same device output
  const again = await context.execute({ x: x2 });
  assert.equal(again.y!.buffer, y.buffer);
  assert.deepEqual([...(await again.y!.read()).data], [...ran.data]);
  context.dispose();
  engine.dispose();
});

test('plans from another nnrt, adapter, shape or precision are refused, saying what differs', { skip }, async () => {
  const plan = await smallPlan();
  const refused = (re: RegExp, hint: RegExp) => (e: unknown) => e instanceof PlanError && re.test(e.message) && hint.test(e.hint ?? '');
  await assert.rejects(Engine.load(gpu!, withHeader(plan, (h) => (h.nnrtVersion = '0.0.1-other'))),
    refused(new RegExp(`plan made by nnrt 0\\.0\\.1-other \\(this is nnrt ${VERSION.replace(/\./g, '\\.')}\\)`), /rebuild it with `nnrt build`/));
  await assert.rejects(Engine.load(gpu!, withHeader(plan, (h) => (h.adapter = { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' }))),
    refused(/plan built for adapter 'nvidia hopper \(NVIDIA H200\)' \(this is /, /tuned for one GPU/));
  await assert.rejects(Engine.load(gpu!, serializePlan(plan), { inputShapes: { x: [2, 2, 6, 6] } }),
    refused(/plan built for input shape \[1, 2, 6, 6\] \(asked \[2, 2, 6, 6\]\)/, /shapes are fixed at build time/));
  // [1,2,4,9] holds as many bytes as the plan's io entry (a plan must agree with itself)
  await assert.rejects(Engine.load(gpu!, withHeader(plan, (h) => (h.inputs = [{ name: 'x', shape: [1, 2, 4, 9] }])), { inputShapes: SHAPES }),
    refused(/plan built for input shape \[1, 2, 4, 9\] \(asked \[1, 2, 6, 6\]\)/, /rebuild/));
  await assert.rejects(Engine.load(gpu!, withHeader(plan, (h) => (h.inputs = [{ name: 'x', shape: [1, 2, 8, 8] }]))),
    refused(/malformed plan: 288 bytes for a float32 tensor of shape \[1,2,8,8\] \(512 bytes\)/, /rebuild/));
  await assert.rejects(Engine.load(gpu!, serializePlan(plan), { precision: 'fp16' }), refused(/plan built for fp32 \(asked fp16\)/, /--precision fp16/));
  // the unedited plan loads under the same expectations
  const ok = await Engine.load(gpu!, serializePlan(plan), { inputShapes: SHAPES, precision: 'fp32' });
  const context = await ok.createExecutionContext();
  await assert.rejects(context.run({ x: randomTensor([1, 2, 5, 6]) }), (e) => e instanceof InputError && /shape \[1,2,5,6\], the plan was built for \[1,2,6,6\]/.test(e.message));
  context.dispose();
  ok.dispose();
});

test('a damaged plan is refused by its checksum, a cut one as truncated', { skip }, async () => {
  const bytes = serializePlan(await smallPlan());
  for (const at of [20, bytes.length >> 1, bytes.length - 12]) { // in the JSON, the weights, near the end
    const damaged = bytes.slice();
    damaged[at]! ^= 0x10;
    await assert.rejects(Engine.load(gpu!, damaged), (e) => e instanceof PlanError && /corrupt plan: checksum [0-9a-f]{16} stored, [0-9a-f]{16} computed/.test(e.message), `byte ${at}`);
  }
  await assert.rejects(Engine.load(gpu!, bytes.subarray(0, bytes.length - 100)), (e) => e instanceof PlanError && /truncated plan/.test(e.message));
});

test('int8 precision without a calibration cache is refused before any work, by the builder and by a session', { skip }, async () => {
  const int8 = (e: unknown) => e instanceof UsageError && /int8 precision needs a calibration cache/.test(e.message) && /nnrt calibrate/.test(e.hint ?? '');
  await assert.rejects(buildEnginePlan(gpu!, graph, SHAPES, { precision: 'int8', timeTactics: false }), int8);
  await assert.rejects(createSession(graph, { engine: 'webgpu', precision: 'int8', timeTactics: false }), int8);
});

test(`fp16 build of the small CNN matches onnxruntime within atol ${FP16_TOLERANCE.atol}, rtol ${FP16_TOLERANCE.rtol}`, { skip }, async () => {
  const plan = await buildEnginePlan(gpu!, graph, SHAPES, { precision: 'fp16', timeTactics: false });
  assert.equal(plan.header.precision, 'fp16');
  assert.ok(plan.constants.byteLength < (await smallPlan()).constants.byteLength, 'weights stored in half precision take fewer bytes');
  const engine = await Engine.load(gpu!, serializePlan(plan), { precision: 'fp16' });
  const context = await engine.createExecutionContext();
  for (const x of [x1, x2]) {
    const got = (await context.run({ x })).y!;
    assertClose(got, (await runOrt(model, { x })).y!, FP16_TOLERANCE, 'fp16 y');
  }
  context.dispose();
  engine.dispose();
});

test('tactic timing: timed layers carry their time, the timing cache fills, a second build reads it', { skip }, async () => {
  // MaxPool and Softmax: a few cheap candidates each, so timing stays quick on lavapipe
  const b = new GraphBuilder('timed');
  const x = b.input('x', 'float32', [1, 4, 8, 8]);
  const pooled = b.op('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] }, 'pool');
  b.output(b.op('Softmax', [pooled], { axis: -1 }, 'softmax'));
  const g = b.graph;
  const shapes = { x: [1, 4, 8, 8] };
  const cache = new TimingCache({ nnrtVersion: VERSION, adapter: gpu!.adapter });
  const log1: string[] = [];
  const plan = await buildEnginePlan(gpu!, g, shapes, { timingCache: cache, log: (l) => log1.push(l) });
  const timed = plan.layers.filter((l) => l.timeMs !== undefined);
  assert.ok(timed.length >= 1, `some layer had several tactics to time: ${JSON.stringify(plan.layers)}`);
  for (const l of timed) assert.ok(Number.isFinite(l.timeMs) && l.timeMs! > 0, `${l.name}: ${l.timeMs} ms`);
  assert.equal(cache.size, timed.length, 'one timing-cache entry per timed layer');
  assert.ok(log1.some((l) => new RegExp(`tactics: ${timed.length} layers timed .*, 0 from the timing cache`).test(l)), log1.join('\n'));

  // the cache survives serialization; a second build takes every timed layer from it
  const reread = TimingCache.parse(cache.serialize(), { nnrtVersion: VERSION, adapter: gpu!.adapter });
  assert.equal(reread.reason, undefined);
  const log2: string[] = [];
  const again = await buildEnginePlan(gpu!, g, shapes, { timingCache: reread.cache, log: (l) => log2.push(l) });
  assert.equal(log2.filter((l) => l.endsWith('(timing cache)')).length, timed.length, log2.join('\n'));
  assert.ok(log2.some((l) => new RegExp(`tactics: 0 layers timed .*, ${timed.length} from the timing cache`).test(l)), log2.join('\n'));
  assert.deepEqual(again.layers.map((l) => l.tactic), plan.layers.map((l) => l.tactic), 'the cached winners are the tactics chosen');

  // and the timed plan computes what the framework computes
  const input = randomTensor([1, 4, 8, 8], 11, -2, 2);
  const want = new CpuExecutor(g).run({ x: input });
  const engine = await Engine.load(gpu!, again);
  const context = await engine.createExecutionContext();
  const got = await context.run({ x: input });
  const name = g.outputs[0]!.name;
  assertClose(got[name]!, want[name]!, FP32_TOLERANCE, name);
  context.dispose();
  engine.dispose();
});

test('tactic timing: a layer identical to one timed earlier in the build takes its choice without timing again', { skip }, async () => {
  // two Softmax layers of one shape (the second on the first's output) and no timing cache given
  const b = new GraphBuilder('repeated');
  const x = b.input('x', 'float32', [2, 3, 16]);
  const first = b.op('Softmax', [x], { axis: -1 }, 'first');
  b.output(b.op('Softmax', [b.op('Neg', [first], {}, 'neg')], { axis: -1 }, 'second'));
  const g = b.graph;
  const log: string[] = [];
  const plan = await buildEnginePlan(gpu!, g, { x: [2, 3, 16] }, { log: (l) => log.push(l) });
  const repeated = log.filter((l) => l.endsWith('(as an identical layer above)'));
  assert.equal(repeated.length, 1, log.join('\n'));
  assert.ok(log.some((l) => /tactics: \d+ layers timed .*, 1 as identical layers of this build, 0 from the timing cache/.test(l)), log.join('\n'));
  const tacticOf = (name: string) => plan.layers.find((l) => l.name.includes(name))?.tactic;
  assert.ok(tacticOf('first') !== undefined && tacticOf('first') === tacticOf('second'), JSON.stringify(plan.layers.map((l) => [l.name, l.tactic])));
  const input = randomTensor([2, 3, 16], 5, -3, 3);
  const want = Object.values(await runOrt(exportOnnx(g, { opset: 17 }), { x: input }))[0]!;
  const engine = await Engine.load(gpu!, plan);
  const context = await engine.createExecutionContext();
  const got = await context.run({ x: input });
  assertClose(got[g.outputs[0]!.name]!, want, FP32_TOLERANCE, 'second softmax');
  context.dispose();
  engine.dispose();
});

test('a run the device rejects is an ExecutionError, and the next run of the context works', { skip }, async () => {
  const plan = await smallPlan();
  const engine = await Engine.load(gpu!, plan);
  const context = await engine.createExecutionContext();
  try {
    // an input buffer destroyed before the run: the submit fails validation while the outputs'
    // read-back maps are already asked for; they must be released for the next run
    const gone = gpu!.device.createBuffer({ size: x1.data.length * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    gone.destroy();
    await assert.rejects(context.run({ x: gone }), (e: unknown) => e instanceof ExecutionError && /rejected the engine's inference/.test(e.message));
    const want = (await runOrt(model, { x: x2 })).y!;
    assertClose((await context.run({ x: x2 })).y!, want, FP32_TOLERANCE, 'y');
  } finally {
    context.dispose();
    engine.dispose();
  }
});
