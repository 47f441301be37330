// Probe of WebGPU subgroup matrices (Dawn's chromium-experimental-subgroup-matrix: tensor cores from
// WGSL) on the GPU machine: f16×f16→f32 GEMM kernels of a few shapes at a few sizes, each checked
// against a CPU reference on sampled elements and timed. Each (kernel, size) runs in a child process
// so that a crash of one (the "futex facility returned an unexpected error code" abort seen at
// 1536³) is reported with its stderr instead of ending the probe.
//
//   source .gpu/enter.sh && node bench/probe-subgroup-matrix.mjs [sizes] [kernels] > $OUT/probe.txt
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Every kernel is one subgroup (32 lanes on NVIDIA) per workgroup: subgroupMatrixLoad/Store need
// offsets that are uniform over the workgroup, so the block a subgroup owns must follow from
// workgroup_id alone (an offset from local_invocation_index / 32 does not compile).
const KERNELS = {
  // a 32×32 block, operands straight from global memory (the first probe)
  naive32: { wg: 32, tm: 32, tn: 32, staged: false },
  // a 64×64 block (4×4 result matrices) straight from global memory
  naive64: { wg: 32, tm: 64, tn: 64, staged: false },
  // a 32×64 block, K staged through workgroup memory
  staged32x64: { wg: 32, tm: 32, tn: 64, staged: true },
  // a 64×64 block, K staged through workgroup memory
  staged64: { wg: 32, tm: 64, tn: 64, staged: true },
  // control: no subgroup matrix at all, one thread per output (16×16 threads per workgroup), run
  // on the same device (feature requested, toggles on) to tell a Dawn/driver fault of the feature
  // from one of the kernels; PROBE_NO_FEATURE=1 also leaves the feature and allow_unsafe_apis off
  simt: { wg: 256, tm: 16, tn: 16, simt: true },
};

// PROBE_FORM=old: the original subgroupMatrixLoad/Store(p, offset, col_major, stride) forms, which this
// Dawn marks deprecated; default: the majorness-template forms that replace them.
const OLD = process.env.PROBE_FORM === 'old';
const load = (type, p, off, stride) => (OLD ? `subgroupMatrixLoad<${type}>(${p}, ${off}, false, ${stride})` : `subgroupMatrixLoad<${type}, row_major>(${p}, ${off}, ${stride})`);
const store = (p, off, v, stride) => (OLD ? `subgroupMatrixStore(${p}, ${off}, ${v}, false, ${stride})` : `subgroupMatrixStore<row_major>(${p}, ${off}, ${v}, ${stride})`);

function simtWgsl(M, N, K) {
  return `enable f16;
@group(0) @binding(0) var<storage, read> A: array<f16>;
@group(0) @binding(1) var<storage, read> B: array<f16>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let row = wg.y * 16u + li / 16u;
  let col = wg.x * 16u + li % 16u;
  var acc = 0.0;
  for (var k = 0u; k < ${K}u; k++) { acc = fma(f32(A[row * ${K}u + k]), f32(B[k * ${N}u + col]), acc); }
  C[row * ${N}u + col] = acc;
}`;
}

function wgsl(k, M, N, K) {
  if (k.simt) return simtWgsl(M, N, K);
  const KS = 32; // K step staged per iteration
  const mi = k.tm / 16, ni = k.tn / 16;
  const accDecl = [];
  for (let i = 0; i < mi; i++) for (let j = 0; j < ni; j++) accDecl.push(`var acc${i}_${j} = subgroup_matrix_result<f32, 16, 16>();`);
  const body = [];
  if (!k.staged) {
    body.push(`for (var kk = 0u; kk < ${K}u; kk += 16u) {`);
    for (let i = 0; i < mi; i++) body.push(`  let a${i} = ${load('subgroup_matrix_left<f16, 16, 16>', '&A', `(row0 + ${i * 16}u) * ${K}u + kk`, `${K}u`)};`);
    for (let j = 0; j < ni; j++) body.push(`  let b${j} = ${load('subgroup_matrix_right<f16, 16, 16>', '&B', `kk * ${N}u + col0 + ${j * 16}u`, `${N}u`)};`);
    for (let i = 0; i < mi; i++) for (let j = 0; j < ni; j++) body.push(`  acc${i}_${j} = subgroupMatrixMultiplyAccumulate(a${i}, b${j}, acc${i}_${j});`);
    body.push('}');
  } else {
    const aCount = k.tm * KS, bCount = KS * k.tn;
    body.push(`for (var kk = 0u; kk < ${K}u; kk += ${KS}u) {`);
    body.push(`  for (var e = li; e < ${aCount}u; e += ${k.wg}u) { let r = e / ${KS}u; let c = e % ${KS}u; As[e] = A[(wrow + r) * ${K}u + kk + c]; }`);
    body.push(`  for (var e = li; e < ${bCount}u; e += ${k.wg}u) { let r = e / ${k.tn}u; let c = e % ${k.tn}u; Bs[e] = B[(kk + r) * ${N}u + wcol + c]; }`);
    body.push('  workgroupBarrier();');
    body.push(`  for (var ks = 0u; ks < ${KS}u; ks += 16u) {`);
    for (let i = 0; i < mi; i++) body.push(`    let a${i} = ${load('subgroup_matrix_left<f16, 16, 16>', '&As', `${i * 16 * KS}u + ks`, `${KS}u`)};`);
    for (let j = 0; j < ni; j++) body.push(`    let b${j} = ${load('subgroup_matrix_right<f16, 16, 16>', '&Bs', `ks * ${k.tn}u + ${j * 16}u`, `${k.tn}u`)};`);
    for (let i = 0; i < mi; i++) for (let j = 0; j < ni; j++) body.push(`    acc${i}_${j} = subgroupMatrixMultiplyAccumulate(a${i}, b${j}, acc${i}_${j});`);
    body.push('  }');
    body.push('  workgroupBarrier();');
    body.push('}');
  }
  const stores = [];
  for (let i = 0; i < mi; i++) for (let j = 0; j < ni; j++) {
    stores.push(`${store('&C', `(row0 + ${i * 16}u) * ${N}u + col0 + ${j * 16}u`, `acc${i}_${j}`, `${N}u`)};`);
  }
  return `enable f16;
enable chromium_experimental_subgroup_matrix;
@group(0) @binding(0) var<storage, read> A: array<f16>;
@group(0) @binding(1) var<storage, read> B: array<f16>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
${k.staged ? `var<workgroup> As: array<f16, ${k.tm * KS}>;\nvar<workgroup> Bs: array<f16, ${KS * k.tn}>;` : ''}
@compute @workgroup_size(${k.wg})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let wrow = wg.y * ${k.tm}u;
  let wcol = wg.x * ${k.tn}u;
  let row0 = wrow;
  let col0 = wcol;
  ${accDecl.join('\n  ')}
  ${body.join('\n  ')}
  ${stores.join('\n  ')}
}`;
}

const f16 = (x) => {
  // round-to-nearest f32 → f16 bits (no subnormal care needed: values are in [-1, 1) / 8)
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  if (exp <= 0) return sign;
  const mant = u & 0x7fffff;
  let h = sign | (exp << 10) | (mant >>> 13);
  if (mant & 0x1000) h++;
  return h;
};
const fromF16 = (h) => {
  const s = h & 0x8000 ? -1 : 1, e = (h >>> 10) & 0x1f, m = h & 0x3ff;
  return e === 0 ? s * m * 2 ** -24 : s * (1 + m / 1024) * 2 ** (e - 15);
};

const keepAlive = [];

async function child(name, size) {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  // PROBE_NO_ROBUSTNESS=1 turns Dawn's robustness transform off (its bounds clamping of the deprecated
  // subgroupMatrixLoad/Store forms is a crash suspect)
  const noFeature = Boolean(process.env.PROBE_NO_FEATURE);
  const toggles = [...(noFeature ? [] : ['allow_unsafe_apis']), 'vulkan_enable_f16_on_nvidia', ...(process.env.PROBE_NO_ROBUSTNESS ? ['disable_robustness'] : [])];
  const gpu = create([`enable-dawn-features=${toggles.join(',')}`]);
  // the GPU object must outlive the device: once it is garbage-collected, Dawn's instance goes and
  // its threads fault at random (SIGSEGV, futex and mutex aborts) — the cause of the first probe's crashes
  keepAlive.push(gpu);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  const wanted = noFeature ? ['shader-f16'] : ['shader-f16', 'chromium-experimental-subgroup-matrix'];
  const feats = wanted.filter((f) => adapter.features.has(f));
  if (feats.length < wanted.length) return { error: `adapter lacks ${wanted.filter((f) => !feats.includes(f))}` };
  const device = await adapter.requestDevice({
    requiredFeatures: feats,
    requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize },
  });
  const errors = [];
  device.addEventListener?.('uncapturederror', (e) => errors.push(e.error.message));
  const lost = device.lost.then((i) => `device lost: ${i.reason} ${i.message}`);
  const k = KERNELS[name];
  const M = size, N = size, K = size;
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) / 4;
  const a16 = new Uint16Array(M * K).map(() => f16(rnd()));
  const b16 = new Uint16Array(K * N).map(() => f16(rnd()));
  const buf = (data, usage) => {
    const b = device.createBuffer({ size: data.byteLength, usage, mappedAtCreation: true });
    new Uint8Array(b.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    b.unmap();
    return b;
  };
  const A = buf(a16, GPUBufferUsage.STORAGE), B = buf(b16, GPUBufferUsage.STORAGE);
  const C = device.createBuffer({ size: M * N * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const read = device.createBuffer({ size: M * N * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: wgsl(k, M, N, K) });
  // PROBE_SYNC=1: no getCompilationInfo and the synchronous pipeline creation (isolates dawn.node's async paths)
  if (!process.env.PROBE_SYNC) {
    const info = await module.getCompilationInfo();
    const msgs = info.messages.filter((m) => m.type === 'error').map((m) => m.message);
    if (msgs.length) return { error: `compile: ${msgs.join('; ').slice(0, 400)}` };
  }
  const desc = { layout: 'auto', compute: { module, entryPoint: 'main' } };
  const pipeline = process.env.PROBE_SYNC ? device.createComputePipeline(desc) : await device.createComputePipelineAsync(desc);
  const bind = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [A, B, C].map((buffer, binding) => ({ binding, resource: { buffer } })) });
  const groups = [N / k.tn, M / k.tm, 1];
  const run = async (reps) => {
    const enc = device.createCommandEncoder();
    for (let r = 0; r < reps; r++) {
      const p = enc.beginComputePass();
      p.setPipeline(pipeline);
      p.setBindGroup(0, bind);
      p.dispatchWorkgroups(...groups);
      p.end();
    }
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
  await run(1);
  const verr = await device.popErrorScope();
  if (verr) return { error: `validation: ${verr.message.slice(0, 400)}` };
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(C, 0, read, 0, M * N * 4);
  device.queue.submit([enc.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(read.getMappedRange().slice(0));
  read.unmap();
  let maxErr = 0;
  for (let s = 0; s < 256; s++) {
    const i = (s * 7919) % M, j = (s * 104729) % N;
    let ref = 0;
    for (let t = 0; t < K; t++) ref += fromF16(a16[i * K + t]) * fromF16(b16[t * N + j]);
    maxErr = Math.max(maxErr, Math.abs(ref - out[i * N + j]));
  }
  const times = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    await run(10);
    times.push((performance.now() - t0) / 10);
  }
  times.sort((x, y) => x - y);
  const ms = times[2];
  const result = { kernel: name, size, ms: +ms.toFixed(4), tflops: +((2 * M * N * K) / ms / 1e9).toFixed(1), maxErr: +maxErr.toExponential(2), errors };
  const l = await Promise.race([lost, Promise.resolve(undefined)]);
  if (l) result.lost = l;
  for (const b of [A, B, C, read]) b.destroy();
  device.destroy();
  return result;
}

if (process.argv[2] === '--child') {
  const r = await child(process.argv[3], Number(process.argv[4])).catch((e) => ({ error: String(e?.stack ?? e) }));
  process.stdout.write(JSON.stringify(r) + '\n');
  // let Dawn's threads wind down before exit (an abrupt exit with work in flight is one suspect)
  setTimeout(() => process.exit(0), 200);
} else {
  const sizes = (process.argv[2] ?? '1024,1536,2048,4096').split(',').map(Number);
  const names = (process.argv[3] ?? Object.keys(KERNELS).join(',')).split(',');
  const self = fileURLToPath(import.meta.url);
  // PROBE_REPEAT=n: each (kernel, size) n times, in n processes: the faults seen came at random
  const repeat = Number(process.env.PROBE_REPEAT ?? 1);
  for (const name of names) for (const size of sizes) for (let rep = 0; rep < repeat; rep++) {
    const r = spawnSync(process.execPath, [self, '--child', name, String(size)], { encoding: 'utf8', timeout: 20_000 });
    const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop() || '';
    console.log(`${name} ${size}: rc=${r.status}${r.signal ? ' signal=' + r.signal : ''} ${line}${r.status !== 0 || !line ? ' stdout: ' + r.stdout.trim().slice(-500) + ' stderr: ' + r.stderr.trim().slice(-300) : ''}`);
  }
}
