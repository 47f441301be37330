// Node-only entry point: files, test-data folders. Re-exports the core API.
export * from './index.js';
export { loadOnnxFile, readTensorPb, readFileChecked } from './node/files.js';
export { verifyModel, listDataSets, loadDataSet } from './node/backend-test.js';

import { loadOnnxFile } from './node/files.js';
import { createSession, type Session, type SessionOptions } from './session.js';

/** Loads an ONNX model file (external data beside it is read) and prepares it to run. */
export async function loadModelFile(path: string, opts: SessionOptions = {}): Promise<Session> {
  return createSession(loadOnnxFile(path).graph, opts);
}
