// Time to load a plan file and create its execution context: node scripts/plan-load-time.mjs FILE.plan
import { readFileSync } from 'node:fs';
import { Engine, sharedGpuDevice, defaultGpu } from '../dist/node.js';
const gpu = await sharedGpuDevice(await defaultGpu());
const t0 = performance.now();
const bytes = new Uint8Array(readFileSync(process.argv[2]));
const engine = await Engine.load(gpu, bytes);
const ctx = await engine.createExecutionContext();
console.log(`plan load (read + compile ${engine.plan.kernels.length} kernels + upload ${(engine.plan.constants.byteLength / 2 ** 20).toFixed(1)} MiB + context): ${((performance.now() - t0) / 1000).toFixed(3)} s`);
ctx.dispose();
engine.dispose();
process.exit(0);
