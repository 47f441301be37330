// Which reading of an 8-bit subgroup-matrix load is exact on this adapter? The extension's text
// leaves open whether offsets and strides of an i8 matrix held in an array<i32> count bytes or
// words, and whether workgroup and storage memory behave alike. One 16×16 product with K = 64
// (two 32-deep slices, so both the offset and the stride are exercised) runs in every reading and
// is compared with the integer product computed here. Plain JavaScript over the build (dist/).
//
//   NNRT_GPU_FEATURES=f16,subgroup-matrix node bench/gpu-models/int8-mma-probe.mjs
import '../../dist/node/webgpu.js';
import { sharedGpuDevice } from '../../dist/devices/webgpu/device.js';
import { defaultGpu } from '../../dist/devices/webgpu/provider.js';

const gpu = await sharedGpuDevice(await defaultGpu());
const device = gpu.device;
const K = 64;
let s = 7;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24) - 128;
const a = Int8Array.from({ length: 16 * K }, rnd); // [16][K] row-major
const b = Int8Array.from({ length: 16 * K }, rnd); // [16 cols][K]: column-major B
const want = new Int32Array(256);
for (let m = 0; m < 16; m++) for (let n = 0; n < 16; n++) { let acc = 0; for (let k = 0; k < K; k++) acc += a[m * K + k] * b[n * K + k]; want[m * 16 + n] = acc; }

const variants = [];
for (const mem of ['storage', 'workgroup']) for (const units of ['bytes', 'words']) for (const arr of ['i32', 'u32']) for (const bLayout of ['col_major', 'row_major_t']) variants.push({ mem, units, arr, bLayout });

function source(v) {
  const div = v.units === 'words' ? 4 : 1;
  const stride = K / div;
  const ptrA = v.mem === 'storage' ? '&A' : '&WA';
  const ptrB = v.mem === 'storage' ? '&B' : '&WB';
  // row_major_t: B given as [K][16] row-major (the transpose is laid out on the host)
  const loadB = (sl) => v.bLayout === 'col_major'
    ? `subgroupMatrixLoad<subgroup_matrix_right<i8, 16, 32>, col_major>(${ptrB}, ${(sl * 32) / div}u, ${stride}u)`
    : `subgroupMatrixLoad<subgroup_matrix_right<i8, 16, 32>, row_major>(${ptrB}, ${(sl * 32 * 16) / div}u, ${16 / div}u)`;
  const ty = v.arr;
  return `diagnostic(off, chromium.subgroup_matrix_uniformity);
enable chromium_experimental_subgroup_matrix;
@group(0) @binding(0) var<storage, read> A: array<${ty}>;
@group(0) @binding(1) var<storage, read> B: array<${ty}>;
@group(0) @binding(2) var<storage, read_write> C: array<i32>;
var<workgroup> WA: array<${ty}, ${(16 * K) / 4}>;
var<workgroup> WB: array<${ty}, ${(16 * K) / 4}>;
var<workgroup> WC: array<i32, 256>;
@compute @workgroup_size(32)
fn main(@builtin(local_invocation_index) tid: u32) {
  for (var e = tid; e < ${(16 * K) / 4}u; e = e + 32u) { WA[e] = A[e]; WB[e] = B[e]; }
  workgroupBarrier();
  var c = subgroup_matrix_result<i32, 16, 16>();
  for (var sl = 0u; sl < 2u; sl = sl + 1u) {
    if (sl == 0u) {
      let x = subgroupMatrixLoad<subgroup_matrix_left<i8, 32, 16>, row_major>(${ptrA}, 0u, ${stride}u);
      c = subgroupMatrixMultiplyAccumulate(x, ${loadB(0)}, c);
    } else {
      let x = subgroupMatrixLoad<subgroup_matrix_left<i8, 32, 16>, row_major>(${ptrA}, ${32 / div}u, ${stride}u);
      c = subgroupMatrixMultiplyAccumulate(x, ${loadB(1)}, c);
    }
  }
  subgroupMatrixStore<row_major>(&WC, 0u, c, 16u);
  workgroupBarrier();
  for (var e = tid; e < 256u; e = e + 32u) { C[e] = WC[e]; }
}`;
}

const buf = (bytes, usage) => device.createBuffer({ size: bytes, usage });
const bT = new Int8Array(16 * K); // [K][16]
for (let n = 0; n < 16; n++) for (let k = 0; k < K; k++) bT[k * 16 + n] = b[n * K + k];
for (const v of variants) {
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: source(v) });
  const errs = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}:${m.linePos} ${m.message}`);
  let pipeline;
  if (!errs.length) pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } }).catch((e) => { errs.push(String(e.message)); });
  const invalid = await device.popErrorScope();
  if (invalid) errs.push(invalid.message);
  const name = `${v.mem}/${v.units}/${v.arr}/${v.bLayout}`;
  if (errs.length) { console.log(`${name}: does not compile: ${errs[0].slice(0, 160)}`); continue; }
  const bufA = buf(a.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
  const bufB = buf(b.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
  const bufC = buf(1024, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
  const stage = buf(1024, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
  device.queue.writeBuffer(bufA, 0, a);
  device.queue.writeBuffer(bufB, 0, v.bLayout === 'col_major' ? b : bT);
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [bufA, bufB, bufC].map((buffer, binding) => ({ binding, resource: { buffer } })) }));
  pass.dispatchWorkgroups(1);
  pass.end();
  enc.copyBufferToBuffer(bufC, 0, stage, 0, 1024);
  device.queue.submit([enc.finish()]);
  await stage.mapAsync(GPUMapMode.READ);
  const got = new Int32Array(stage.getMappedRange().slice(0));
  stage.unmap();
  const bad = want.findIndex((w, i) => got[i] !== w);
  console.log(`${name}: ${bad < 0 ? 'EXACT' : `wrong: [${Math.floor(bad / 16)},${bad % 16}] = ${got[bad]}, not ${want[bad]}; first four ${[...got.slice(0, 4)]} vs ${[...want.slice(0, 4)]}`}`);
}
process.exit(0);
