// Node-only: writes an exported ONNX model, and its external data file when it has one.
import { basename, dirname, join } from 'node:path';
import type { Graph } from '../ir/graph.js';
import { writeAtomically, writeFully } from './atomic-write.js';
import { exportOnnxWithData, type OnnxExportOptions } from '../onnx/export/model.js';

/**
 * Exports `graph` to `path`. External data (see OnnxExportOptions.externalDataThreshold; automatic
 * above 2 GiB) goes to `<file name>.data` beside the model unless `externalDataLocation` names
 * another file. Each file is written to a temporary name and renamed, data first, so that a crash
 * never leaves a model pointing at a partial data file.
 */
export function saveOnnx(path: string, graph: Graph, opts: OnnxExportOptions): void {
  const location = opts.externalDataLocation ?? `${basename(path)}.data`;
  const { model, externalData } = exportOnnxWithData(graph, { ...opts, externalDataLocation: location });
  if (externalData) {
    writeAtomically(join(dirname(path), location), (fd) => {
      for (const part of externalData.parts) writeFully(fd, part.bytes, part.offset);
    });
  }
  writeAtomically(path, (fd) => writeFully(fd, model, 0));
}
