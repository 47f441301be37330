// Node-only MXNet checkpoint files: NAME-symbol.json + NAME-EPOCH.params (epoch as 4 digits),
// the params beside the symbol, and optional NAME-shapes.json ([{ name, shape }], SageMaker's convention).
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ParseError, UsageError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { exportMxnet } from '../mxnet/export.js';
import { importMxnet, type MxImported } from '../mxnet/import.js';
import { writeFileAtomic } from './atomic-write.js';
import { readFileChecked } from './files.js';

export interface MxFileOptions {
  /** Which NAME-EPOCH.params to read; default: the highest epoch beside the symbol. */
  epoch?: number;
  /** An explicit params file (for checkpoints not named NAME-EPOCH.params). */
  params?: string;
  /** Data input shapes; default: NAME-shapes.json when present, else the symbol's __shape__ hints. */
  inputShapes?: Record<string, readonly number[]>;
}

export interface MxCheckpointFiles {
  symbol: string;
  params: string;
  shapes?: string;
}

const SYMBOL_SUFFIX = '-symbol.json';

/** The files of a checkpoint given its prefix (`models/resnet`) or its symbol file. */
export function findMxnetFiles(prefixOrSymbol: string, opts: Pick<MxFileOptions, 'epoch' | 'params'> = {}): MxCheckpointFiles {
  const symbol = prefixOrSymbol.endsWith('.json') ? prefixOrSymbol : prefixOrSymbol + SYMBOL_SUFFIX;
  if (!existsSync(symbol)) throw new UsageError(`MXNet symbol file '${symbol}' does not exist`);
  const prefix = symbol.endsWith(SYMBOL_SUFFIX) ? symbol.slice(0, -SYMBOL_SUFFIX.length) : undefined;
  const shapes = prefix && existsSync(`${prefix}-shapes.json`) ? `${prefix}-shapes.json` : undefined;
  const found = (params: string): MxCheckpointFiles => (shapes ? { symbol, params, shapes } : { symbol, params });
  if (opts.params) return found(opts.params);
  if (!prefix) {
    throw new UsageError(`'${symbol}' is not named NAME-symbol.json, so its params file cannot be found`, { hint: 'name the params file explicitly' });
  }
  if (opts.epoch !== undefined) {
    if (!Number.isInteger(opts.epoch) || opts.epoch < 0) throw new UsageError(`epoch must be a non-negative integer, got ${opts.epoch}`);
    return found(`${prefix}-${String(opts.epoch).padStart(4, '0')}.params`);
  }
  const base = basename(prefix);
  const epochs = readdirSync(dirname(symbol))
    .map((f) => (f.startsWith(`${base}-`) && f.endsWith('.params') ? f.slice(base.length + 1, -'.params'.length) : ''))
    .filter((e) => /^\d+$/.test(e))
    .sort((a, b) => Number(a) - Number(b));
  if (!epochs.length) {
    throw new UsageError(`no params file ${base}-EPOCH.params beside '${symbol}'`, { hint: 'give the epoch or the params file' });
  }
  return found(join(dirname(symbol), `${base}-${epochs[epochs.length - 1]}.params`));
}

/** Reads NAME-shapes.json: [{ "name": "data", "shape": [1, 3, 224, 224] }, ...]. */
function readShapes(path: string): Record<string, number[]> {
  const text = new TextDecoder().decode(readFileChecked(path, 'shapes file'));
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ParseError(`malformed shapes JSON: ${(e as Error).message}`, { where: path });
  }
  const out: Record<string, number[]> = {};
  if (!Array.isArray(doc)) throw new ParseError('a shapes file is a list of { name, shape }', { where: path });
  for (const item of doc) {
    const { name, shape } = (item ?? {}) as { name?: unknown; shape?: unknown };
    if (typeof name !== 'string' || !Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new ParseError(`bad entry ${JSON.stringify(item)}: needs a name and positive integer dims`, { where: path });
    }
    out[name] = shape as number[];
  }
  return out;
}

/** Loads an MXNet checkpoint from files into nnrt's IR. */
export function loadMxnetCheckpoint(prefixOrSymbol: string, opts: MxFileOptions = {}): MxImported & { files: MxCheckpointFiles } {
  const files = findMxnetFiles(prefixOrSymbol, opts);
  const json = new TextDecoder().decode(readFileChecked(files.symbol, 'MXNet symbol file'));
  const params = readFileChecked(files.params, 'MXNet params file');
  const inputShapes = opts.inputShapes ?? (files.shapes ? readShapes(files.shapes) : undefined);
  const imported = importMxnet(json, params, { ...(inputShapes ? { inputShapes } : {}), source: { symbol: files.symbol, params: files.params } });
  return { ...imported, files };
}

/** Writes PREFIX-symbol.json and PREFIX-EPOCH.params (MXNet's save_checkpoint names). */
export function saveMxnetCheckpoint(prefix: string, epoch: number, graph: Graph): MxCheckpointFiles {
  const { symbolJson, params } = exportMxnet(graph);
  const files = { symbol: prefix + SYMBOL_SUFFIX, params: `${prefix}-${String(epoch).padStart(4, '0')}.params` };
  writeFileAtomic(files.params, params);
  writeFileAtomic(files.symbol, symbolJson);
  return files;
}
