// Calibration batches from files: `--data DIR` reads TensorProto files laid out as ONNX test data
// sets (DIR/input_0.pb ... for one batch, or one folder of them per batch), `--images DIR` reads
// JPEG/PNG images preprocessed as `nnrt run --image` does, in batches the model's input allows.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { imageSize, imageTransform, type ImageFlags } from './run-inputs.js';
import type { CalibrationBatches } from '../runtime/calibrate.js';
import { UsageError } from '../errors.js';
import type { ValueInfo } from '../ir/graph.js';
import { Tensor } from '../tensor/tensor.js';
import { batch } from '../vision/transforms.js';
import { readTensorPb } from '../node/files.js';
import { readImage } from '../node/images.js';

const byNumber = (prefix: string) => (a: string, b: string) => Number(a.slice(prefix.length).replace(/\D.*$/, '')) - Number(b.slice(prefix.length).replace(/\D.*$/, '')) || a.localeCompare(b);

function folder(dir: string, flag: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${flag} '${dir}' is not a folder`);
  return readdirSync(dir);
}

/** Batches from TensorProto files; input_K feeds the model input of the file's name, else the K-th input. */
export function tensorBatches(dir: string, inputs: readonly ValueInfo[]): CalibrationBatches {
  const entries = folder(dir, '--data');
  const pbs = (d: string, names: string[]) => names.filter((f) => /^input_\d+\.pb$/.test(f)).sort(byNumber('input_')).map((f) => join(d, f));
  const direct = pbs(dir, entries);
  const batchDirs = direct.length ? [dir] : entries.filter((e) => statSync(join(dir, e)).isDirectory()).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).map((e) => join(dir, e));
  const sets = batchDirs.map((d) => (d === dir ? direct : pbs(d, readdirSync(d)))).filter((files) => files.length > 0);
  if (sets.length === 0) throw new UsageError(`--data '${dir}' holds no input_*.pb files`, { hint: 'give a folder of input_0.pb ... files, or of batch folders holding them (as ONNX test_data_set_N folders)' });
  const names = new Set(inputs.map((v) => v.name));
  return {
    count: sets.length,
    get(i) {
      const feeds: Record<string, Tensor> = {};
      for (const [k, file] of sets[i]!.entries()) {
        const { name, tensor } = readTensorPb(file);
        const target = names.has(name) ? name : inputs[k]?.name;
        if (!target) throw new UsageError(`'${file}' is input ${k}, but the model has ${inputs.length} input(s)`);
        feeds[target] = tensor;
      }
      for (const v of inputs) if (!feeds[v.name]) throw new UsageError(`batch folder '${batchDirs[i]}' has no file for input '${v.name}'`);
      return feeds;
    },
  };
}

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png']);

/**
 * Batches of preprocessed images for a model with one [N,3,H,W] float input. A fixed N sets the
 * batch size (the last batch is filled up with images from the start: padding with blank images
 * would skew the ranges); a symbolic N takes `batchSize` images at a time (default 8).
 */
export function imageBatches(dir: string, inputs: readonly ValueInfo[], flags: ImageFlags & { batchSize?: number }): CalibrationBatches {
  const files = folder(dir, '--images').filter((f) => IMAGE_EXT.has(extname(f).toLowerCase())).sort().map((f) => join(dir, f));
  if (files.length === 0) throw new UsageError(`--images '${dir}' holds no .jpg, .jpeg or .png files`);
  if (inputs.length !== 1) throw new UsageError(`--images needs a model with one input; this one takes ${inputs.map((v) => v.name).join(', ')}`, { hint: 'give tensors with --data DIR' });
  const input = inputs[0]!;
  const [n, c, h, w] = input.shape;
  if (input.shape.length !== 4 || (typeof c === 'number' && c !== 3) || input.dtype !== 'float32') {
    throw new UsageError(`--images feeds an [N,3,H,W] float input, but input '${input.name}' is ${input.dtype} [${input.shape.join(',')}]`, { hint: 'give tensors with --data DIR' });
  }
  const size = imageSize(flags, [typeof h === 'number' ? h : 224, typeof w === 'number' ? w : 224]);
  const preprocess = imageTransform(flags, size);
  const per = typeof n === 'number' ? n : flags.batchSize ?? 8;
  const count = Math.ceil(files.length / per);
  return {
    count,
    get(i) {
      const group = Array.from({ length: per }, (_, j) => files[(i * per + j) % files.length]!);
      const take = typeof n === 'number' ? group : group.slice(0, Math.min(per, files.length - i * per));
      return { [input.name]: batch(take.map((f) => preprocess(readImage(f)))) };
    },
  };
}
