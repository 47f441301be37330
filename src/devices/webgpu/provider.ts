/// <reference types="@webgpu/types" />
// Where a session gets its `GPU` object when none is passed: a provider registered by the host
// (Node's src/node/webgpu.ts registers Dawn), else the browser's navigator.gpu. The core never
// imports Dawn itself, so it runs unchanged in a page.
import { DeviceError } from '../../errors.js';

let provider: (() => Promise<GPU>) | undefined;

export function registerGpuProvider(p: () => Promise<GPU>): void {
  provider = p;
}

export async function defaultGpu(): Promise<GPU> {
  if (provider) return provider();
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  throw new DeviceError('no WebGPU implementation: navigator.gpu is absent and none was registered', {
    hint: "in Node, import src/node/webgpu.ts (it registers Dawn) or pass { gpu } to createSession",
  });
}
