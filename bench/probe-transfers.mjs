// Where an end-to-end WebGPU run's host time goes: the upload of the inputs, the wait for the
// device, the read back of the outputs. Part A times the raw steps on a bare device (writeBuffer,
// a mapped upload buffer, copy to staging + mapAsync + copy out, a fresh host array's first touch).
// Part B (with a model) runs an nnrt session end to end and device-resident, with the queue's and
// buffers' methods wrapped to time each step of a run. Medians in µs, one line per step.
//
//   source .gpu/enter.sh && NNRT_GPU_FEATURES=f16,subgroup-matrix node bench/probe-transfers.mjs [MODEL.onnx] > $OUT/transfers.txt
import { performance } from 'node:perf_hooks';

const RUNS = Number(process.env.PROBE_RUNS ?? 60);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const us = (ms) => (ms * 1000).toFixed(1).padStart(9);

async function partA() {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  const device = await adapter.requestDevice();
  const sizes = [600 * 1024, 960 * 1024, 2304 * 1024];
  const time = async (label, fn) => {
    for (let i = 0; i < 5; i++) await fn();
    const t = [];
    for (let i = 0; i < RUNS; i++) { const s = performance.now(); await fn(); t.push(performance.now() - s); }
    console.log(`${label.padEnd(58)}${us(median(t))}`);
  };
  await time('empty submit + onSubmittedWorkDone', async () => {
    device.queue.submit([device.createCommandEncoder().finish()]);
    await device.queue.onSubmittedWorkDone();
  });
  for (const n of sizes) {
    const kb = `${n / 1024} KB`;
    const dst = device.createBuffer({ size: n, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
    const staging = device.createBuffer({ size: n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const up = device.createBuffer({ size: n, usage: GPUBufferUsage.MAP_WRITE | GPUBufferUsage.COPY_SRC, mappedAtCreation: true });
    const host = new Float32Array(n / 4).fill(1.5);
    const reuse = new Float32Array(n / 4);
    await time(`writeBuffer ${kb} (call only)`, async () => { device.queue.writeBuffer(dst, 0, host); });
    await device.queue.onSubmittedWorkDone();
    await time(`writeBuffer ${kb} + submit + done`, async () => {
      device.queue.writeBuffer(dst, 0, host);
      device.queue.submit([device.createCommandEncoder().finish()]);
      await device.queue.onSubmittedWorkDone();
    });
    await time(`mapped upload ${kb}: set + unmap + copy + done + remap`, async () => {
      new Float32Array(up.getMappedRange()).set(host);
      up.unmap();
      const e = device.createCommandEncoder();
      e.copyBufferToBuffer(up, 0, dst, 0, n);
      device.queue.submit([e.finish()]);
      await device.queue.onSubmittedWorkDone();
      await up.mapAsync(GPUMapMode.WRITE);
    });
    let mapT = [], copyT = [];
    await time(`read back ${kb}: copy + map + slice + unmap`, async () => {
      const e = device.createCommandEncoder();
      e.copyBufferToBuffer(dst, 0, staging, 0, n);
      device.queue.submit([e.finish()]);
      const s = performance.now();
      await staging.mapAsync(GPUMapMode.READ);
      const m = performance.now();
      const out = new Float32Array(staging.getMappedRange().slice(0));
      staging.unmap();
      mapT.push(m - s); copyT.push(performance.now() - m);
      if (out[0] !== 1.5) throw new Error('read back wrong');
    });
    console.log(`${'  of which map wait'.padEnd(58)}${us(median(mapT))}`);
    console.log(`${'  of which slice + unmap'.padEnd(58)}${us(median(copyT))}`);
    mapT = []; copyT = [];
    await time(`read back ${kb} into a reused array`, async () => {
      const e = device.createCommandEncoder();
      e.copyBufferToBuffer(dst, 0, staging, 0, n);
      device.queue.submit([e.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      reuse.set(new Float32Array(staging.getMappedRange()));
      staging.unmap();
    });
    await time(`new Float32Array ${kb} + touch every page`, async () => {
      const a = new Float32Array(n / 4);
      for (let i = 0; i < a.length; i += 1024) a[i] = 1;
    });
    await time(`memcpy ${kb} between reused arrays`, async () => { reuse.set(host); });
    for (const b of [dst, staging, up]) b.destroy();
  }
  device.destroy();
}

async function partB(path) {
  const nnrt = await import('../dist/node.js');
  const session = await nnrt.loadModelFile(path, { device: 'webgpu', engine: 'webgpu', precision: process.env.PROBE_PRECISION ?? 'fp16', quiet: true });
  const feeds = {};
  for (const v of session.inputs) {
    const shape = v.shape.map((d) => (typeof d === 'number' ? d : 1));
    const n = shape.reduce((a, b) => a * b, 1);
    feeds[v.name] = v.dtype === 'int64' ? new nnrt.Tensor('int64', shape, new BigInt64Array(n).fill(1n)) : new nnrt.Tensor('float32', shape, new Float32Array(n).map((_, i) => Math.sin(i)));
  }
  const events = [];
  const wrap = (proto, name) => {
    const orig = proto[name];
    proto[name] = function (...args) {
      const s = performance.now();
      const r = orig.apply(this, args);
      if (r && typeof r.then === 'function') return r.then((x) => { events.push([name, s, performance.now()]); return x; });
      events.push([name, s, performance.now()]);
      return r;
    };
  };
  const proto = (o) => Object.getPrototypeOf(o);
  for (let i = 0; i < 20; i++) await session.run(feeds);
  const q = globalThis.GPUQueue?.prototype;
  const b = globalThis.GPUBuffer?.prototype;
  if (!q || !b) throw new Error('GPUQueue/GPUBuffer globals are missing');
  for (const n of ['writeBuffer', 'submit', 'onSubmittedWorkDone']) wrap(q, n);
  for (const n of ['mapAsync', 'getMappedRange', 'unmap']) wrap(b, n);
  void proto;
  const phases = new Map();
  const add = (k, v) => { if (!phases.has(k)) phases.set(k, []); phases.get(k).push(v); };
  for (let i = 0; i < RUNS; i++) {
    events.length = 0;
    const s = performance.now();
    await session.run(feeds);
    const e = performance.now();
    add('run (end to end)', e - s);
    const first = (n) => events.find((x) => x[0] === n);
    const last = (n) => [...events].reverse().find((x) => x[0] === n);
    const wb = events.filter((x) => x[0] === 'writeBuffer');
    add('start → first writeBuffer', (wb[0]?.[1] ?? s) - s);
    add('writeBuffer calls', wb.reduce((t, x) => t + x[2] - x[1], 0));
    add('start → first submit', first('submit')[1] - s);
    add('submit calls', events.filter((x) => x[0] === 'submit').reduce((t, x) => t + x[2] - x[1], 0));
    const m = first('mapAsync');
    if (m) {
      add('last submit → mapAsync called (next run encoded)', m[1] - last('submit')[2]);
      add('mapAsync wait', last('mapAsync')[2] - m[1]);
      add('getMappedRange → unmap done (copy out)', last('unmap')[2] - first('getMappedRange')[1]);
      add('unmap → run resolved', e - last('unmap')[2]);
    }
  }
  for (const [k, v] of phases) console.log(`B ${k.padEnd(56)}${us(median(v))}`);
  if (session.upload && session.runOnDevice) {
    const onDevice = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, session.upload(t)]));
    for (let i = 0; i < 20; i++) await session.runOnDevice(onDevice);
    const t = [];
    for (let i = 0; i < RUNS; i++) { const s = performance.now(); await session.runOnDevice(onDevice); t.push(performance.now() - s); }
    console.log(`B ${'run (device-resident)'.padEnd(56)}${us(median(t))}`);
  }
  session.dispose();
}

if (!process.argv[2] || process.env.PROBE_RAW === '1') await partA();
if (process.argv[2]) await partB(process.argv[2]);
