// Node-only entry point: files, test-data folders. Re-exports the core API.
export * from './index.js';
export { loadOnnxFile, readTensorPb, readFileChecked } from './node/files.js';
export { verifyModel, listDataSets, loadDataSet } from './node/backend-test.js';
export { loadMxnetCheckpoint, saveMxnetCheckpoint, findMxnetFiles } from './node/mxnet-files.js';
export { loadModelFromFile, type LoadedModel, type ModelFileOptions } from './node/load-model.js';
export { saveOnnx } from './node/onnx-save.js';
export { readImage, decodeImage } from './node/images.js';
export { installNodeModelStore, createNodeModelStore } from './node/model-store.js';
export { EngineCache } from './node/engine-cache.js';
export { loadTimingCache, saveTimingCache } from './node/timing-cache-file.js';
import { installNodeModelStore } from './node/model-store.js';
import './node/webgpu.js'; // device 'webgpu' finds the GPU through Dawn
import './node/memory-default.js'; // sessions may hold half the machine's memory by default
import './node/cpu-threads.js'; // the fast CPU kernels use worker_threads, one per core
import './node/relaxed-simd.js'; // and a fused multiply-add where WebAssembly has one
import { environmentErrors } from './node/environment-errors.js';

// a bad NNRT_CPU_* setting fails the import, naming the variable (the CLI reports it as a usage error)
const badSetting = environmentErrors()[0];
if (badSetting) throw badSetting;

// In Node, `pretrained: true` reads $NNRT_HOME/models (default ~/.nnrt/models).
installNodeModelStore();

import { loadModelFromFile, type ModelFileOptions } from './node/load-model.js';
import { createSession, type Session, type SessionOptions } from './runtime/session.js';

/**
 * Loads a model file — ONNX (external data beside it is read) or an MXNet checkpoint
 * (NAME-symbol.json + NAME-EPOCH.params) — and prepares it to run.
 */
export async function loadModelFile(path: string, opts: SessionOptions & ModelFileOptions = {}): Promise<Session> {
  return createSession(loadModelFromFile(path, opts).graph, opts);
}
