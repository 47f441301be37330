// Whether WebGPU tests can run here. They skip only when CI is unset and no adapter is found;
// with CI=true a missing adapter is a failure (CI installs Mesa lavapipe, so it must be there).
import { createDawnGpu } from '../../src/node/webgpu.js';

async function findAdapter(): Promise<string | undefined> {
  try {
    const gpu = await createDawnGpu();
    const adapter = await gpu.requestAdapter();
    return adapter ? undefined : 'no WebGPU adapter (no Vulkan driver found)';
  } catch (e) {
    return `Dawn could not start: ${(e as Error).message}`;
  }
}

const missing = await findAdapter();

/** The skip reason for node:test, or undefined when the tests must run; throws in CI without a GPU. */
export function webgpuSkip(): string | undefined {
  if (!missing) return undefined;
  if (process.env.CI) {
    throw new Error(`${missing}, but CI is set: WebGPU tests must run in CI (install Mesa lavapipe with ci/install-lavapipe.sh)`);
  }
  return `${missing}; install Mesa lavapipe (mesa-vulkan-drivers) to run the WebGPU tests`;
}
