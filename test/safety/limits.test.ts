// Hostile sizes and shapes: a tiny model asking for gigabytes fails before allocating (memory
// budget, on the CPU and on WebGPU), a 50,000-node graph sorts in linear-ish time, a 10 MB node name
// is cut in error lines, and a plan whose checksum is valid but whose fields disagree is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/node/webgpu.js';
import '../../src/ops/index.js';
import { checkPlanFitsDevice, parsePlan, PLAN_FORMAT_VERSION, serializePlan, type EnginePlan } from '../../src/engine/plan-format.js';
import { ExecutionError, GraphError, NnrtError, PlanError, UsageError } from '../../src/errors.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { topoSort } from '../../src/ir/topo.js';
import { createSession, type SessionOptions } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;

/** ConstantOfShape([n]) → Expand to [k, n]: ~200 bytes of model asking for 4·k·n bytes. */
function hungryModel(n: number, k: number) {
  const b = new GraphBuilder('hungry', 17);
  const x = b.input('x', 'float32', [1]);
  const c = b.op('ConstantOfShape', [b.constant('shape', Tensor.fromNumeric('int64', [1], [n]))], { value: Tensor.fromNumeric('float32', [1], [1]) });
  const e = b.op('Expand', [b.op('Add', [c, x]), b.constant('to', Tensor.fromNumeric('int64', [2], [k, n]))]);
  b.output(b.op('ReduceSum', [e], { keepdims: 0 }));
  return b.graph;
}

async function refusedWithin(opts: SessionOptions, ms: number): Promise<NnrtError> {
  const t0 = performance.now();
  const heap0 = process.memoryUsage().arrayBuffers;
  const session = await createSession(hungryModel(2 ** 20, 512), opts); // 2 GiB for the Expand
  try {
    const err = await session.run({ x: Tensor.fromNumeric('float32', [1], [1]) }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ExecutionError, `expected ExecutionError, got ${String(err)}`);
    assert.match(err.message, /over the session's memory budget of 268435456 bytes/);
    assert.ok(performance.now() - t0 < ms, `took ${performance.now() - t0} ms`);
    assert.ok(process.memoryUsage().arrayBuffers - heap0 < 256 * 2 ** 20, 'no over-allocation');
    return err;
  } finally {
    session.dispose();
  }
}

test('memory budget on the CPU: a 2 GiB Expand fails before allocating', async () => {
  const err = await refusedWithin({ maxMemory: 256 * 2 ** 20 }, 5000);
  assert.match(err.message, /Expand output float32\[512,1048576\] needs 2147483648 bytes/);
});

test('memory budget on WebGPU: the same model fails before createBuffer', { skip }, async () => {
  await refusedWithin({ device: 'webgpu', maxMemory: 256 * 2 ** 20 }, 20000);
});

test('a memory budget that is not a positive number is a UsageError', async () => {
  await assert.rejects(createSession(hungryModel(4, 4), { maxMemory: -1 }), UsageError);
  await assert.rejects(createSession(hungryModel(4, 4), { maxMemory: Number.NaN }), UsageError);
});

test('topological sort of 50,000 nodes reading one input is fast, and ties keep file order', () => {
  const b = new GraphBuilder('wide', 17);
  const x = b.input('x', 'float32', [1]);
  for (let i = 0; i < 50_000; i++) b.output(b.op('Relu', [x]));
  b.graph.nodes.reverse(); // worst case for a sorted ready list
  const t0 = performance.now();
  const order = topoSort(b.graph);
  assert.ok(performance.now() - t0 < 2000, `took ${performance.now() - t0} ms`);
  assert.deepEqual(order.slice(0, 3).map((n) => n.name), b.graph.nodes.slice(0, 3).map((n) => n.name));
  // a chain after the wide part still comes out in dependency order
  const c = new GraphBuilder('chain', 17);
  let v = c.input('x', 'float32', [1]);
  for (let i = 0; i < 20_000; i++) v = c.op('Relu', [v]);
  c.graph.nodes.reverse();
  const chain = topoSort(c.graph);
  assert.equal(chain[0]!.inputs[0], 'x');
  assert.equal(chain.at(-1)!.outputs[0], v);
});

test('a 10 MB node name is cut in error messages', () => {
  const b = new GraphBuilder('long', 17);
  const x = b.input('x', 'float32', [1]);
  const name = 'n'.repeat(10 * 2 ** 20);
  b.graph.nodes.push({ name, opType: 'Relu', domain: '', inputs: [x], outputs: [name], attrs: {} }, { name: 'loop', opType: 'Relu', domain: '', inputs: [name], outputs: [x], attrs: {} });
  const err = (() => { try { topoSort(b.graph); } catch (e) { return e; } })();
  assert.ok(err instanceof GraphError, String(err));
  assert.ok(err.message.length < 1000, `message of ${err.message.length} characters`);
  assert.match(err.message, /n{60}…\[\d+ chars\]…n{19}/);
});

function plan(): EnginePlan {
  return {
    header: {
      format: 'nnrt-plan', formatVersion: PLAN_FORMAT_VERSION, nnrtVersion: '0.1.0',
      adapter: { vendor: 'v', architecture: 'a', description: 'd' }, precision: 'fp32', graphHash: '0',
      inputs: [{ name: 'x', shape: [1, 4] }], outputs: [{ name: 'y', shape: [1, 4] }, { name: 'z', shape: [2] }],
    },
    kernels: ['@compute @workgroup_size(1) fn main() {}'],
    dispatches: [{ kernel: 0, bindings: [{ buffer: 'arena', offset: 0, size: 16 }], workgroups: [1, 1, 1], layer: 0 }],
    layers: [{ name: 'l', kind: 'pointwise', from: ['l'], tactic: 't' }],
    arenaBytes: 64, naiveBytes: 64,
    io: { inputs: [{ name: 'x', offset: 0, bytes: 16 }], outputs: [{ name: 'y', offset: 16, bytes: 16 }, { name: 'z', offset: 32, bytes: 8 }] },
    constants: new Uint8Array(16),
  };
}

const planRefused = (p: EnginePlan, re: RegExp) => assert.throws(() => parsePlan(serializePlan(p)), (e: unknown) => { assert.ok(e instanceof PlanError, String(e)); assert.match(e.message, re); return true; });

test('plans with a valid checksum but inconsistent fields are PlanErrors', () => {
  assert.doesNotThrow(() => parsePlan(serializePlan(plan())));
  const fewer = plan();
  fewer.io.outputs.pop();
  planRefused(fewer, /1 entries, the header declares 2 outputs \(at io\.outputs\)/);
  const big = plan();
  big.io.inputs[0]!.bytes = 32;
  planRefused(big, /32 bytes for a float32 tensor of shape \[1,4\] .*io\.inputs\[0\]\.bytes/);
  const renamed = plan();
  renamed.io.outputs.reverse();
  planRefused(renamed, /'z' is not header\.outputs\[0\]/);
  const huge = plan();
  huge.dispatches[0]!.workgroups = [2 ** 32, 1, 1];
  const parsed = parsePlan(serializePlan(huge));
  assert.throws(() => checkPlanFitsDevice(parsed, { maxBufferSize: 2 ** 30, maxComputeWorkgroupsPerDimension: 65535, maxStorageBufferBindingSize: 2 ** 27 }),
    (e: unknown) => e instanceof PlanError && /4294967296 workgroups, over maxComputeWorkgroupsPerDimension 65535/.test(e.message));
  const arena = plan();
  arena.arenaBytes = 2 ** 40;
  assert.throws(() => checkPlanFitsDevice(parsePlan(serializePlan(arena)), { maxBufferSize: 2 ** 30, maxComputeWorkgroupsPerDimension: 65535, maxStorageBufferBindingSize: 2 ** 27 }), PlanError);
});
