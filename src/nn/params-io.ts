// Gluon's save_parameters / load_parameters over MXNet's .params (NDArray list) format.
import { ShapeError, UsageError } from '../errors.js';
import { readParams, writeParams } from '../mxnet/params.js';
import { Tensor } from '../tensor/tensor.js';
import type { HybridBlock } from './block.js';
import type { Parameter } from './parameter.js';

export interface LoadOptions {
  /** Leave parameters absent from the file as they are (default: an error naming them). */
  allowMissing?: boolean;
  /** Skip arrays of the file the block does not have (default: an error naming them). */
  ignoreExtra?: boolean;
  /** The file's name for error messages. */
  source?: string;
}

/** Writes every parameter under its structural name ('features.0.weight'), as Gluon's save_parameters does. */
export function saveParameters(block: HybridBlock): Uint8Array {
  const arrays = [...block.structuralParams()].map(([name, p]) => ({ name, tensor: p.data() }));
  return writeParams({ arrays, named: true });
}

/**
 * Loads a .params file into a block. Accepts the three key styles Gluon 1.x files use: structural
 * names (save_parameters: 'features.0.weight'), full names ('resnetv20_conv0_weight', export's
 * 'arg:'/'aux:' prefixes stripped), and names without the block's prefix (the model store's files,
 * written by the old save_params: 'conv0_weight').
 */
export function loadParameters(block: HybridBlock, bytes: Uint8Array, opts: LoadOptions = {}): void {
  const source = opts.source ?? 'params';
  const file = readParams(bytes, source);
  if (!file.named) throw new UsageError('the .params file holds an unnamed list; parameters must be saved by name', { where: source });
  const loaded = new Map<string, Tensor>();
  for (const a of file.arrays) if (a.tensor) loaded.set(a.name.replace(/^(arg|aux):/, ''), a.tensor);
  const structural = [...loaded.keys()].some((k) => k.includes('.'));
  const byKey = new Map<string, Parameter>();
  if (structural) {
    for (const [k, p] of block.structuralParams()) byKey.set(k, p);
  } else {
    for (const [name, p] of block.collectParams()) {
      // a file key may be the full name or the name without the block's own prefix
      byKey.set(loaded.has(name) || !name.startsWith(block.prefix) ? name : name.slice(block.prefix.length), p);
    }
  }
  const extra = [...loaded.keys()].filter((k) => !byKey.has(k));
  if (extra.length && !opts.ignoreExtra) {
    throw new UsageError(`parameter '${extra[0]}' in the file is not in block '${block.name}'${extra.length > 1 ? ` (and ${extra.length - 1} more)` : ''}`, {
      where: source, hint: `the block's parameters are named like '${byKey.keys().next().value ?? ''}'; pass ignoreExtra to skip unknown ones`,
    });
  }
  const missing = [...byKey.keys()].filter((k) => !loaded.has(k));
  if (missing.length && !opts.allowMissing) {
    throw new UsageError(`parameter '${missing[0]}' of block '${block.name}' is missing from the file${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}`, {
      where: source, hint: 'pass allowMissing to keep the current values of missing parameters',
    });
  }
  // check every shape before changing anything, so a bad file leaves the block as it was
  for (const [k, p] of byKey) {
    const t = loaded.get(k);
    if (!t) continue;
    const fits = t.shape.length === p.shape.length && p.shape.every((d, i) => d === 0 || d === t.shape[i]);
    if (!fits) {
      throw new ShapeError(`parameter '${k}' has shape [${p.shape.join(',')}] in the block but [${t.shape.join(',')}] in the file`, { where: source });
    }
  }
  for (const [k, p] of byKey) {
    const t = loaded.get(k);
    if (t) p.setData(t.dtype === 'float32' ? t : Tensor.fromNumeric('float32', t.shape, t.numeric()));
  }
  block.invalidate();
}
