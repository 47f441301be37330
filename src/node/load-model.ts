// Loads a model file of any format nnrt reads: ONNX (.onnx) or an MXNet checkpoint
// (NAME-symbol.json + NAME-EPOCH.params, given as the symbol file or the NAME prefix).
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { loadOnnxFile } from './files.js';
import { loadMxnetCheckpoint } from './mxnet-files.js';

export interface ModelFileOptions {
  /** MXNet: the params file (default NAME-EPOCH.params beside the symbol). */
  params?: string;
  /** MXNet: which epoch's params (default the highest). */
  epoch?: number;
  /** MXNet: data input shapes (default NAME-shapes.json or the symbol's hints). */
  inputShapes?: Record<string, readonly number[]>;
}

export interface LoadedModel {
  graph: Graph;
  format: 'onnx' | 'mxnet';
  /** A one-line description for listings. */
  describe: string;
  opset?: number;
  producer?: string;
  irVersion?: number;
}

export function isMxnetPath(path: string): boolean {
  return path.endsWith('.json') || (!existsSync(path) && existsSync(`${path}-symbol.json`));
}

export function loadModelFromFile(path: string, opts: ModelFileOptions = {}): LoadedModel {
  if (isMxnetPath(path)) {
    const m = loadMxnetCheckpoint(path, opts);
    return { graph: m.graph, format: 'mxnet', describe: `MXNet checkpoint ${m.files.symbol} + ${m.files.params}` };
  }
  if (opts.params !== undefined || opts.epoch !== undefined) {
    throw new UsageError('--params and --epoch apply to MXNet checkpoints (NAME-symbol.json), not ONNX files');
  }
  const m = loadOnnxFile(path);
  return { graph: m.graph, format: 'onnx', describe: `ONNX ${path}`, opset: m.opset, producer: m.producer, irVersion: m.irVersion };
}

/** Parses `NAME=1,3,224,224` shape options (or `NAME=1x3x224x224`, as the profile flags write dims). */
export function parseShapeOptions(specs: readonly string[] = []): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const s of specs) {
    const m = /^([^=]+)=(\d+(?:,\d+)*|\d+(?:x\d+)*)$/.exec(s);
    if (!m) throw new UsageError(`--shape '${s}' must look like NAME=1,3,224,224 (or NAME=1x3x224x224)`);
    out[m[1]!] = m[2]!.split(/[,x]/).map(Number);
  }
  return out;
}
