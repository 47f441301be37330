// Where one engine run's wall time goes on a GPU: host work before the submit (input write,
// encoding every dispatch, finishing the command buffer), the submit call, and the wait for the
// device, beside the device's own time for the same dispatches (timestamp queries around the one
// compute pass) and the round trip of an empty submit (how long Dawn takes to tell JavaScript that
// the device is done, with no work). A run whose wall time is far above its device time spends
// the rest in one of these phases; this says which.
//
//   node bench/gpu-models/run-phases.mjs model.fp16.plan [model.onnx ...] [--runs 50]
//
// A plan (from `nnrt build`, fixed shapes) is timed phase by phase. An ONNX file is run as a session
// (webgpu framework + engine fp16, tactics untimed) to compare the session's run and on-device
// run with the engine's own. Inputs are zeros (kernels do the same work whatever the values).
// Prints one block per file; medians in ms. Plain JavaScript over the build (dist/, `npm run build`):
// the GPU machine has production node_modules only.
import { readFileSync } from 'node:fs';
import { sharedGpuDevice } from '../../dist/devices/webgpu/device.js';
import { defaultGpu } from '../../dist/devices/webgpu/provider.js';
import { Engine } from '../../dist/engine/runtime.js';
import '../../dist/node/webgpu.js';
import { Tensor } from '../../dist/tensor/tensor.js';
import { loadOnnxFile } from '../../dist/node/files.js';
import '../../dist/ops/index.js';
import { createSession } from '../../dist/runtime/session.js';
import { concreteInputShapes } from '../../dist/bench/models.js';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 50;
if (!args.length || !Number.isInteger(runs) || runs < 1) {
  console.error('usage: node bench/gpu-models/run-phases.mjs PLAN|MODEL.onnx ... [--runs N]');
  process.exit(2);
}

const now = () => performance.now();
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (xs) => `${median(xs).toFixed(3)} (min ${Math.min(...xs).toFixed(3)})`;

const gpu = await sharedGpuDevice(await defaultGpu());
const device = gpu.device;
console.log(`# ${gpu.adapter.vendor} ${gpu.adapter.architecture} ${gpu.adapter.description}; features: ${[...gpu.features].join(', ')}`);

// the bare round trip: an empty command buffer submitted and waited for
const empty = [];
for (let i = 0; i < runs + 5; i++) {
  const t0 = now();
  device.queue.submit([device.createCommandEncoder().finish()]);
  await device.queue.onSubmittedWorkDone();
  if (i >= 5) empty.push(now() - t0);
}
console.log(`empty submit + onSubmittedWorkDone: ${fmt(empty)} ms`);

async function sessionPhases(file) {
  const graph = loadOnnxFile(file).graph;
  const session = await createSession(graph, { device: 'webgpu', engine: 'webgpu', precision: 'fp16', timeTactics: false });
  const shapes = concreteInputShapes(graph, 1, file);
  const inputs = Object.fromEntries(graph.inputs.map((i) => [i.name, new Tensor(i.dtype, shapes.get(i.name))]));
  const onDevice = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, session.upload(t)]));
  // the first run partitions and builds the engine
  const t0 = now();
  await session.runOnDevice(onDevice);
  const buildMs = now() - t0;
  const resident = [];
  const e2e = [];
  for (let i = -5; i < runs; i++) {
    const t1 = now();
    await session.runOnDevice(onDevice);
    const t2 = now();
    await session.run(inputs);
    const t3 = now();
    if (i < 0) continue;
    resident.push(t2 - t1);
    e2e.push(t3 - t2);
  }
  const p = session.stats().engine?.partition;
  console.log(`\n${file}: session (first run with the untimed build ${(buildMs / 1000).toFixed(1)} s; ${p ? `${p.subgraphs.length} engines, ${p.declined.length} nodes declined` : "no engine"}), ${runs} runs; median (min) ms`);
  console.log(`  session.runOnDevice ${fmt(resident)} | session.run ${fmt(e2e)}`);
  session.dispose();
}

for (const file of args) {
  if (file.endsWith('.onnx')) {
    await sessionPhases(file);
    continue;
  }
  const engine = await Engine.load(gpu, new Uint8Array(readFileSync(file)));
  const context = await engine.createExecutionContext();
  const inputs = Object.fromEntries(engine.plan.header.inputs.map((i) => {
    const dtype = i.dtype === undefined ? 'float32' : i.dtype === 'bool' ? 'bool' : 'int64';
    return [i.name, new Tensor(dtype, [...i.shape])];
  }));
  const phase = { write: [], encode: [], submit: [], wait: [], total: [], execute: [], run: [] };
  for (let i = -5; i < runs; i++) {
    const t0 = now();
    const onDevice = context.writeInputs(inputs);
    const t1 = now();
    const encoder = device.createCommandEncoder();
    context.encode(encoder, onDevice);
    const commands = encoder.finish();
    const t2 = now();
    device.queue.submit([commands]);
    const t3 = now();
    await device.queue.onSubmittedWorkDone();
    const t4 = now();
    if (i < 0) continue;
    phase.write.push(t1 - t0);
    phase.encode.push(t2 - t1);
    phase.submit.push(t3 - t2);
    phase.wait.push(t4 - t3);
    phase.total.push(t4 - t0);
  }
  // the paths sessions take: execute (error scope, outputs left on the device) and run (read back)
  for (let i = -5; i < runs; i++) {
    const t0 = now();
    await context.execute(inputs);
    await device.queue.onSubmittedWorkDone();
    const t1 = now();
    await context.run(inputs);
    const t2 = now();
    if (i < 0) continue;
    phase.execute.push(t1 - t0);
    phase.run.push(t2 - t1);
  }
  let deviceMs = 'no timestamp-query';
  if (gpu.features.has('timestamp-query')) {
    const querySet = device.createQuerySet({ type: 'timestamp', count: 2 });
    const resolve = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const readback = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const spans = [];
    for (let i = -5; i < runs; i++) {
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } });
      for (const d of context.dispatchList()) {
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, d.bindGroup);
        pass.dispatchWorkgroups(...d.workgroups);
      }
      pass.end();
      encoder.resolveQuerySet(querySet, 0, 2, resolve, 0);
      encoder.copyBufferToBuffer(resolve, 0, readback, 0, 16);
      device.queue.submit([encoder.finish()]);
      await readback.mapAsync(GPUMapMode.READ);
      const t = new BigInt64Array(readback.getMappedRange().slice(0));
      readback.unmap();
      if (i >= 0) spans.push(Number(t[1] - t[0]) / 1e6);
    }
    deviceMs = fmt(spans);
    querySet.destroy();
    resolve.destroy();
    readback.destroy();
    // the same pass BURST times back to back in one submit, each timed: a GPU that idles between
    // paced runs may run them at lower clocks than a busy one (compare with the paced figure above)
    const BURST = 10;
    const qs = device.createQuerySet({ type: 'timestamp', count: 2 * BURST });
    const res = device.createBuffer({ size: 16 * BURST, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const back = device.createBuffer({ size: 16 * BURST, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const burst = [];
    let burstWall = [];
    for (let i = -2; i < Math.max(3, Math.ceil(runs / BURST)); i++) {
      const t0 = now();
      const encoder = device.createCommandEncoder();
      for (let b = 0; b < BURST; b++) {
        const pass = encoder.beginComputePass({ timestampWrites: { querySet: qs, beginningOfPassWriteIndex: 2 * b, endOfPassWriteIndex: 2 * b + 1 } });
        for (const d of context.dispatchList()) {
          pass.setPipeline(d.pipeline);
          pass.setBindGroup(0, d.bindGroup);
          pass.dispatchWorkgroups(...d.workgroups);
        }
        pass.end();
      }
      encoder.resolveQuerySet(qs, 0, 2 * BURST, res, 0);
      encoder.copyBufferToBuffer(res, 0, back, 0, 16 * BURST);
      device.queue.submit([encoder.finish()]);
      await back.mapAsync(GPUMapMode.READ);
      const t = new BigInt64Array(back.getMappedRange().slice(0));
      back.unmap();
      if (i < 0) continue;
      burstWall.push((now() - t0) / BURST);
      for (let b = 0; b < BURST; b++) burst.push(Number(t[2 * b + 1] - t[2 * b]) / 1e6);
    }
    deviceMs += ` | ${BURST} passes back to back in one submit: device ${fmt(burst)} a pass, wall ${fmt(burstWall)} a pass`;
    qs.destroy();
    res.destroy();
    back.destroy();
  }
  const p = engine.plan;
  console.log(`\n${file}: ${p.layers.length} layers, ${p.dispatches.length} dispatches, ${p.kernels.length} kernels, ${runs} runs; median (min) ms`);
  console.log(`  device time of the pass (timestamps), paced (one submit and wait each): ${deviceMs}`);
  console.log(`  write inputs ${fmt(phase.write)} | encode + finish ${fmt(phase.encode)} | submit ${fmt(phase.submit)} | wait ${fmt(phase.wait)} | total ${fmt(phase.total)}`);
  console.log(`  context.execute + wait: ${fmt(phase.execute)} | context.run (read back): ${fmt(phase.run)}`);
  context.dispose();
  engine.dispose();
}
process.exit(0);
