import { UsageError } from '../errors.js';
import { saveMxnetCheckpoint } from '../node/mxnet-files.js';
import { loadModelFromFile, type ModelFileOptions } from '../node/load-model.js';
import { saveOnnx } from '../node/onnx-save.js';
import { MAX_EXPORT_OPSET, MIN_EXPORT_OPSET } from '../onnx/export/model.js';

export interface ConvertOptions extends ModelFileOptions {
  to: 'onnx' | 'mxnet';
  opset?: number;
  out?: string;
}

/** `nnrt convert MODEL --to onnx|mxnet`: ONNX or MXNet in, ONNX (any target opset) or MXNet out. */
export function convert(model: string, opts: ConvertOptions, out: (s: string) => void): number {
  const loaded = loadModelFromFile(model, opts);
  if (opts.to === 'onnx') {
    const opset = opts.opset ?? Math.min(MAX_EXPORT_OPSET, Math.max(MIN_EXPORT_OPSET, loaded.opset ?? 17));
    const file = opts.out ?? model.replace(/(-symbol)?\.(json|onnx)$/, '') + `.opset${opset}.onnx`;
    saveOnnx(file, loaded.graph, { opset, producerName: 'nnrt' });
    out(`wrote ${file} (ONNX opset ${opset}, ${loaded.graph.nodes.length} nodes) from ${loaded.describe}`);
    return 0;
  }
  if (opts.opset !== undefined) throw new UsageError('--opset applies to --to onnx');
  const prefix = opts.out ?? model.replace(/(-symbol)?\.(json|onnx)$/, '');
  const files = saveMxnetCheckpoint(prefix, 0, loaded.graph);
  out(`wrote ${files.symbol} and ${files.params} from ${loaded.describe}`);
  return 0;
}
