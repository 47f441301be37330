// The runtimes `nnrt bench --peers` measures nnrt against, on the same ONNX bytes and inputs:
// onnxruntime-node (CPU), onnxruntime-web's wasm EP (its Node build) and its WebGPU EP (the JSEP
// browser build, run in Node on Dawn). All are loaded with dynamic import, so nnrt works without
// them; the facts about running them in Node are in ../shared/docs/PEERS.md.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import type { BenchModel, Runner, RunnerFactory } from '../bench/types.js';
import { defaultGpu } from '../devices/webgpu/provider.js';
import { DeviceError, UnsupportedError, UsageError } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { cpuThreadCount } from './cpu-threads.js';
import './webgpu.js'; // registers Dawn: the WebGPU peer shares nnrt's GPU object

export const PEERS = ['ort-node', 'ort-web-wasm', 'ort-web-webgpu'] as const;
export type PeerName = (typeof PEERS)[number];

export const INSTALL_HINT = '--peers needs them: npm i -D onnxruntime-node onnxruntime-web';

/** The part of onnxruntime's JS API (common to -node and -web) the bench uses. */
interface OrtTensor {
  type: string;
  dims: readonly number[];
  data: unknown;
}
interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface Ort {
  InferenceSession: { create(model: Uint8Array | string, opts: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: string, data: unknown, dims: readonly number[]) => OrtTensor;
  env: { versions?: Record<string, string | undefined>; wasm: { numThreads?: number } };
}

/** The CPU peers' threads: the count nnrt's CPU kernels use (NNRT_CPU_THREADS, else one per core), so rows compare like with like. */
const cores = () => cpuThreadCount();

async function importOrt(specifier: string, what: string): Promise<Ort> {
  let mod: { default?: Ort } & Ort;
  try {
    mod = await import(specifier);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new UsageError(`${what} is not installed`, { hint: INSTALL_HINT });
    }
    throw e;
  }
  return mod.default ?? mod;
}

/**
 * V8 otherwise spends tens of seconds optimizing one huge wasm function of onnxruntime-web. Set
 * before the first wasm module compiles. NNRT_ORT_WEB_LIFTOFF=0 leaves V8's tiering on (slow to
 * start; give the row warm-up runs) to time onnxruntime-web's optimized code.
 */
function liftoffOnly(): void {
  if (process.env.NNRT_ORT_WEB_LIFTOFF === '0') return;
  v8.setFlagsFromString('--liftoff-only');
}

/** The folder of onnxruntime-web's dist files: $NNRT_ORT_WEB_DIR, else the installed package's. */
export function ortWebDistDir(): string {
  const fromEnv = process.env.NNRT_ORT_WEB_DIR;
  if (fromEnv) return resolve(fromEnv);
  try {
    return dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
  } catch {
    throw new UsageError('onnxruntime-web is not installed (and NNRT_ORT_WEB_DIR is not set)', { hint: INSTALL_HINT });
  }
}

/**
 * Dawn 0.6.2's writeBuffer rejects SharedArrayBuffer-backed data, which onnxruntime-web passes (views
 * of its wasm heap): copy just the range being written into a plain buffer. Other data goes through.
 */
export function copySharedWrites(): void {
  const Queue = (globalThis as { GPUQueue?: { prototype: GPUQueue } }).GPUQueue;
  const marker = Symbol.for('nnrt.copySharedWrites');
  if (!Queue || (Queue.prototype as unknown as Record<symbol, boolean>)[marker]) return;
  const original = Queue.prototype.writeBuffer;
  const isShared = (b: unknown) => typeof SharedArrayBuffer !== 'undefined' && b instanceof SharedArrayBuffer;
  Queue.prototype.writeBuffer = function (this: GPUQueue, buffer: GPUBuffer, offset: number, data: BufferSource, dataOffset?: number, size?: number) {
    const view = ArrayBuffer.isView(data);
    if (!isShared(view ? data.buffer : data)) return original.call(this, buffer, offset, data, dataOffset, size);
    // offsets and sizes count elements of a typed array, bytes of a raw buffer
    const unit = view ? ((data as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1) : 1;
    const base = view ? data.byteOffset : 0;
    const start = (dataOffset ?? 0) * unit;
    const length = size !== undefined ? size * unit : data.byteLength - start;
    const copy = new Uint8Array(length);
    copy.set(new Uint8Array(view ? data.buffer : (data as ArrayBufferLike), base + start, length));
    return original.call(this, buffer, offset, copy);
  } as GPUQueue['writeBuffer'];
  (Queue.prototype as unknown as Record<symbol, boolean>)[marker] = true;
}

let ortNode: Promise<Ort> | undefined;
let ortWebWasm: Promise<Ort> | undefined;
let ortWebGpu: Promise<Ort> | undefined;

const loaders: Record<PeerName, () => Promise<Ort>> = {
  'ort-node': () => (ortNode ??= importOrt('onnxruntime-node', 'onnxruntime-node')),
  'ort-web-wasm': () => (ortWebWasm ??= (async () => {
    liftoffOnly();
    const ort = await importOrt('onnxruntime-web', 'onnxruntime-web');
    ort.env.wasm.numThreads = cores(); // the Node build runs its threads as worker_threads
    return ort;
  })()),
  'ort-web-webgpu': () => (ortWebGpu ??= (async () => {
    const file = join(ortWebDistDir(), 'ort.min.mjs');
    if (!existsSync(file)) {
      throw new UsageError(`onnxruntime-web's WebGPU build '${file}' is missing`, {
        hint: 'NNRT_ORT_WEB_DIR must name a dist folder with ort.min.mjs and ort-wasm-simd-threaded.jsep.{mjs,wasm}',
      });
    }
    const gpu = await defaultGpu();
    if (!(await gpu.requestAdapter())) throw new DeviceError('no WebGPU adapter for onnxruntime-web', { hint: 'see nnrt demo --device webgpu' });
    copySharedWrites();
    // the browser build finds WebGPU through navigator.gpu and sizes thread pools from hardwareConcurrency
    const nav = (globalThis as { navigator?: object }).navigator ?? {};
    Object.defineProperty(globalThis, 'navigator', { value: Object.assign(Object.create(nav), { gpu, hardwareConcurrency: cores() }), configurable: true, writable: true });
    liftoffOnly();
    const ort = await importOrt(pathToFileURL(file).href, `onnxruntime-web (${file})`);
    ort.env.wasm.numThreads = 1; // more threads make the browser build fetch its .mjs over file://, which fails in Node
    return ort;
  })()),
};

const SESSION: Record<PeerName, () => Record<string, unknown>> = {
  'ort-node': () => ({ executionProviders: ['cpu'], intraOpNumThreads: cores(), interOpNumThreads: 1, graphOptimizationLevel: 'all' }),
  'ort-web-wasm': () => ({ executionProviders: ['wasm'], graphOptimizationLevel: 'all' }),
  'ort-web-webgpu': () => ({ executionProviders: ['webgpu'], graphOptimizationLevel: 'all' }),
};

const ORT_DTYPE: Record<string, DType> = { float32: 'float32', float16: 'float16', int32: 'int32', int64: 'int64', int8: 'int8', uint8: 'uint8', bool: 'bool' };

function toNnrt(name: string, t: OrtTensor): Tensor {
  const dtype = ORT_DTYPE[t.type];
  if (!dtype) throw new UnsupportedError(`onnxruntime returned output '${name}' as ${t.type}, which nnrt bench cannot compare`);
  const data = dtype === 'bool' ? Uint8Array.from(t.data as ArrayLike<number>) : t.data;
  return new Tensor(dtype, [...t.dims], data as never);
}

function describe(name: PeerName, ort?: Ort): string {
  const v = ort?.env.versions;
  const version = v?.node ?? v?.web ?? v?.common;
  const pkg = name === 'ort-node' ? 'onnxruntime-node' : 'onnxruntime-web';
  const what = name === 'ort-node' ? `cpu (${cores()} threads)` : name === 'ort-web-wasm' ? `wasm (${cores()} threads)` : 'webgpu (JSEP)';
  return `${pkg}${version ? ` ${version}` : ''} ${what}`;
}

/**
 * A bench runner for a peer runtime; the runtime loads when its first row starts. Peers are timed
 * end to end only: their session.run takes and returns host tensors.
 */
export function peerRunner(name: PeerName): RunnerFactory {
  return {
    modes: ['e2e'],
    runner(mode) {
      const r = peerE2eRunner(name);
      if (mode === 'e2e') return r;
      return Object.assign(r, {
        id: `${name}-${mode}`, mode,
        prepare: () => Promise.reject(new UnsupportedError(`the bench times ${name} end to end only (its session.run takes and returns host tensors)`)),
      });
    },
  };
}

function peerE2eRunner(name: PeerName): Runner {
  let label = describe(name);
  return {
    id: name,
    get label() {
      return label;
    },
    kind: 'peer',
    device: name === 'ort-web-webgpu' ? 'webgpu' : 'cpu',
    engine: name === 'ort-node' ? 'onnxruntime-node' : 'onnxruntime-web',
    precision: 'fp32',
    mode: 'e2e',
    async prepare(model: BenchModel) {
      const ort = await loaders[name]();
      label = describe(name, ort);
      // onnxruntime-node reads a file's external data beside it; the web builds take bytes only
      const source = name === 'ort-node' && model.path !== undefined ? model.path : model.onnx;
      const session = await ort.InferenceSession.create(source, SESSION[name]());
      const feeds: Record<string, OrtTensor> = {};
      for (const [k, t] of Object.entries(model.inputs)) feeds[k] = new ort.Tensor(t.dtype, t.data, [...t.shape]);
      return {
        async run() {
          const res = await session.run(feeds);
          return Object.fromEntries(Object.entries(res).map(([k, t]) => [k, toNnrt(k, t)]));
        },
        dispose: () => session.release(),
      };
    },
  };
}

/** The peers `--peers` with no list adds: the CPU ones, and the WebGPU one when a webgpu row is asked for. */
export function defaultPeers(webgpuRequested: boolean): PeerName[] {
  return webgpuRequested ? ['ort-node', 'ort-web-wasm', 'ort-web-webgpu'] : ['ort-node', 'ort-web-wasm'];
}

/** Whether a package resolves from here (without loading it). */
function resolvable(specifier: string): boolean {
  try {
    createRequire(import.meta.url).resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

/**
 * The peers that can run here: onnxruntime-node and onnxruntime-web's wasm build when installed,
 * and its WebGPU build when a webgpu row is in the run and its JSEP file is there.
 */
export function installedPeers(webgpu: boolean): PeerName[] {
  const out: PeerName[] = [];
  if (resolvable('onnxruntime-node')) out.push('ort-node');
  if (resolvable('onnxruntime-web')) out.push('ort-web-wasm');
  if (webgpu) {
    try {
      if (existsSync(join(ortWebDistDir(), 'ort.min.mjs'))) out.push('ort-web-webgpu');
    } catch {
      // neither installed nor named by NNRT_ORT_WEB_DIR
    }
  }
  return out;
}
