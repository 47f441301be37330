// The device check of int8 tensor-core tiles (src/engine/int8-mma-check.ts) on the GPU machine,
// by itself: prints what the adapter offers and whether every i8 subgroup-matrix tile computes the
// check's integer sums exactly (builds run the same check and leave the tiles out if it fails).
// Plain JavaScript over the build (dist/).
//
//   NNRT_GPU_FEATURES=f16,subgroup-matrix node bench/gpu-models/int8-mma-check.mjs
import '../../dist/node/webgpu.js';
import { deviceCaps } from '../../dist/devices/webgpu/caps.js';
import { sharedGpuDevice } from '../../dist/devices/webgpu/device.js';
import { defaultGpu } from '../../dist/devices/webgpu/provider.js';
import { int8MmaVerdict } from '../../dist/engine/int8-mma-check.js';
import { hasI8Mma } from '../../dist/engine/kernels/matrix/int8-mma.js';

const gpu = await sharedGpuDevice(await defaultGpu());
const caps = deviceCaps(gpu);
console.log(`adapter: ${gpu.adapter.description || gpu.adapter.vendor}; subgroup size ${caps.subgroupSize ?? 'varies'}; subgroup-matrix configs: ${JSON.stringify(caps.subgroupMatrix)}`);
if (!hasI8Mma(caps)) {
  console.log('int8 subgroup-matrix tiles: not offered here (no i8 16×16×32 config in subgroups of 32; ask for --gpu-features subgroup-matrix)');
} else {
  const t0 = performance.now();
  const v = await int8MmaVerdict(gpu, caps);
  const verdict = 'fault' in v ? `FAIL: ${v.fault}`
    : v.off.length ? `pass with offsets counted in ${v.unit}s, but ${v.off.length} tile(s) left out: ${v.off.map((o) => o.fault).join('; ')}`
    : `pass (every tile exact, offsets counted in ${v.unit}s)`;
  console.log(`int8 subgroup-matrix tiles: ${verdict} in ${(performance.now() - t0).toFixed(0)} ms`);
}
process.exit(0);
