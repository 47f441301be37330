import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, ShapeError, UsageError } from '../errors.js';
import type { ValueInfo } from '../ir/graph.js';
import { writeFileAtomic } from '../node/atomic-write.js';
import { readFileChecked, readTensorPb } from '../node/files.js';
import { readImage } from '../node/images.js';
import { loadModelFromFile, type ModelFileOptions } from '../node/load-model.js';
import { encodeTensorProto } from '../onnx/tensor-write.js';
import { createSession, type Session, type SessionOptions } from '../runtime/session.js';
import { Tensor } from '../tensor/tensor.js';
import { classProbabilities, topK } from '../vision/classify.js';
import { IMAGENET_CLASSES } from '../vision/imagenet-labels.js';
import { defaultResize } from '../vision/imagenet.js';
import { batch } from '../vision/transforms.js';
import { imageSize, imageTransform, type ImageFlags } from './run-inputs.js';
import { sampleInputs } from '../runtime/sample-inputs.js';
import { elementCount } from '../tensor/shape.js';

export interface RunOptions extends SessionOptions, ModelFileOptions, ImageFlags {
  /** Feed seeded random tensors to every input not given by --input (valid token ids, masks of ones...). */
  randomInputs?: boolean;
  seed?: number;
  /** Run at these input shapes (--shapes): seeded values for every input not given by --input. */
  shapes?: Record<string, number[]>;
  input?: string[];
  output?: string;
  json?: boolean;
  /** Image files (JPEG/PNG) for a one-input [N,3,H,W] classifier, preprocessed as ImageNet. */
  image?: string[];
  /** How many classes to print per image (default 5). */
  top?: number;
  /** 'imagenet' or a file with one label per line (default: ImageNet's when there are 1000 classes). */
  labels?: string;
}

/** Parses `NAME=FILE.pb` (or a bare FILE.pb for a single-input model); every input must be given unless `partial`. */
export function parseInputs(specs: string[], names: string[], partial = false): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    let name: string;
    let file: string;
    if (eq > 0) {
      name = spec.slice(0, eq);
      file = spec.slice(eq + 1);
    } else if (names.length === 1) {
      name = names[0]!;
      file = spec;
    } else {
      throw new UsageError(`--input '${spec}' must be NAME=FILE.pb (the model takes ${names.join(', ')})`);
    }
    if (!names.includes(name)) throw new InputError(`the model has no input '${name}'`, { hint: `it takes ${names.join(', ')}` });
    feeds[name] = readTensorPb(file).tensor;
  }
  const missing = names.filter((n) => !feeds[n]);
  if (missing.length && !partial) throw new UsageError(`no data given for input${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, { hint: 'pass --input NAME=FILE.pb' });
  return feeds;
}

function summary(t: Tensor): string {
  const v = t.numeric();
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    min = Math.min(min, v[i]!);
    max = Math.max(max, v[i]!);
    sum += v[i]!;
  }
  const head = Array.from(v.slice(0, 5), (x) => Number(x.toPrecision(5))).join(', ');
  return `${t.dtype}[${t.shape.join(',')}]  min ${min.toPrecision(5)}  max ${max.toPrecision(5)}  mean ${(sum / Math.max(1, v.length)).toPrecision(5)}  first [${head}${v.length > 5 ? ', …' : ''}]`;
}

export async function run(model: string, opts: RunOptions, out: (s: string) => void): Promise<number> {
  if (opts.image?.length && opts.input?.length) throw new UsageError('give either --image or --input, not both');
  if (!opts.image?.length && (opts.top !== undefined || opts.labels !== undefined)) throw new UsageError('--top and --labels go with --image FILE');
  const { graph } = loadModelFromFile(model, opts);
  const session = await createSession(graph, opts);
  try {
    if (opts.image?.length) return await classifyImages(model, session, opts.image, opts, out);
    const names = session.inputs.map((v) => v.name);
    const unknown = Object.keys(opts.shapes ?? {}).filter((n) => !names.includes(n));
    if (unknown.length) throw new UsageError(`--shapes names ${unknown.map((n) => `'${n}'`).join(', ')}, which the model does not take`, { hint: `its inputs: ${names.join(', ')}` });
    const random = opts.randomInputs || opts.shapes !== undefined;
    const given = parseInputs(opts.input ?? [], names, random);
    const feeds = random ? sampleInputs(session.graph, opts.seed ?? 1, new Map(Object.entries(opts.shapes ?? {})), given) : given;
    const t0 = performance.now();
    const outputs = await session.run(feeds);
    const ms = performance.now() - t0;
    if (opts.output) writeOutputs(session, outputs, opts.output);
    if (opts.json) {
      out(JSON.stringify({ model, ms, outputs: Object.fromEntries(Object.entries(outputs).map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape }])) }));
    } else {
      for (const [k, t] of Object.entries(outputs)) out(`${k}: ${summary(t)}`);
      out(`ran in ${ms.toFixed(1)} ms${opts.output ? `; wrote ${session.outputs.length} output file(s) to ${opts.output}` : ''}`);
    }
    return 0;
  } finally {
    session.dispose();
  }
}

function writeOutputs(session: Session, outputs: Record<string, Tensor>, dir: string): void {
  mkdirSync(dir, { recursive: true });
  session.outputs.forEach((o, k) => writeFileAtomic(join(dir, `output_${k}.pb`), encodeTensorProto(o.name, outputs[o.name]!)));
}

/** The model's image input: its only input, float, [N, 3, H, W] (dims may be symbolic). */
function imageInput(inputs: readonly ValueInfo[]): ValueInfo {
  if (inputs.length !== 1) {
    throw new UsageError(`--image needs a model with one input; this one takes ${inputs.map((v) => v.name).join(', ')}`, { hint: 'pass tensors with --input NAME=FILE.pb' });
  }
  const v = inputs[0]!;
  const c = v.shape[1];
  if (v.shape.length !== 4 || (typeof c === 'number' && c !== 3)) {
    throw new UsageError(`--image feeds an [N,3,H,W] image input, but input '${v.name}' has shape [${v.shape.join(',')}]`, { hint: 'pass tensors with --input NAME=FILE.pb' });
  }
  if (v.dtype !== 'float32' && v.dtype !== 'float16') throw new UsageError(`--image feeds a float input, but input '${v.name}' is ${v.dtype}`);
  return v;
}

/** One label per line; a trailing empty line is ignored. */
function readLabels(spec: string | undefined, classes: number, output: string): readonly string[] | undefined {
  if (spec === undefined) return classes === IMAGENET_CLASSES.length ? IMAGENET_CLASSES : undefined;
  let labels = IMAGENET_CLASSES;
  if (spec !== 'imagenet') {
    labels = new TextDecoder().decode(readFileChecked(spec, 'labels file')).split('\n').map((l) => l.trimEnd());
    while (labels.length && labels[labels.length - 1] === '') labels = labels.slice(0, -1);
  }
  if (labels.length !== classes) {
    throw new UsageError(`--labels ${spec} has ${labels.length} names but output '${output}' has ${classes} classes`, { hint: 'give one label per line, one line per class' });
  }
  return labels;
}

/** Tensors of one output from several runs, the padding rows dropped, joined along the batch axis. */
function joinRows(name: string, parts: { tensor: Tensor; rows: number; batch: number }[]): Tensor {
  const first = parts[0]!.tensor;
  const rowShape = first.shape.slice(1);
  const rowSize = elementCount(rowShape);
  const total = parts.reduce((n, p) => n + p.rows, 0);
  const data = new (first.data.constructor as new (n: number) => typeof first.data)(total * rowSize);
  let at = 0;
  for (const { tensor, rows, batch: n } of parts) {
    if (tensor.shape[0] !== n) {
      throw new ShapeError(`output '${name}' has shape [${tensor.shape.join(',')}]; --image expects one row per image (first dimension ${n})`);
    }
    (data as Float32Array).set((tensor.data as Float32Array).subarray(0, rows * rowSize), at);
    at += rows * rowSize;
  }
  return new Tensor(first.dtype, [total, ...rowShape], data);
}

/** Preprocesses the images as ImageNet, runs them in batches the input allows, prints top-k per image. */
async function classifyImages(model: string, session: Session, files: string[], opts: RunOptions, out: (s: string) => void): Promise<number> {
  const input = imageInput(session.inputs);
  const [n, , h, w] = input.shape;
  // the crop is the input's H×W; a symbolic H or W takes ImageNet's 224
  const size = imageSize(opts, [typeof h === 'number' ? h : 224, typeof w === 'number' ? w : 224]);
  const preprocess = imageTransform(opts, size);
  const tensors = files.map((f) => preprocess(readImage(f)));
  // a fixed batch size: run in chunks of it, padding the last chunk with zero images
  const chunk = typeof n === 'number' ? n : tensors.length;
  const parts: Record<string, { tensor: Tensor; rows: number; batch: number }[]> = {};
  let ms = 0;
  for (let start = 0; start < tensors.length; start += chunk) {
    const group = tensors.slice(start, start + chunk);
    const rows = group.length;
    while (group.length < chunk) group.push(new Tensor('float32', group[0]!.shape));
    const x32 = batch(group);
    const x = input.dtype === 'float16' ? Tensor.fromNumeric('float16', x32.shape, x32.data) : x32;
    const t0 = performance.now();
    const res = await session.run({ [input.name]: x });
    ms += performance.now() - t0;
    for (const o of session.outputs) (parts[o.name] ??= []).push({ tensor: res[o.name]!, rows, batch: chunk });
  }
  const outputs = Object.fromEntries(session.outputs.map((o) => [o.name, joinRows(o.name, parts[o.name]!)]));
  if (opts.output) writeOutputs(session, outputs, opts.output);

  const scoresName = session.outputs[0]!.name;
  const scores = outputs[scoresName]!;
  const classes = scores.size / files.length;
  const values = scores.numeric();
  const { source, rows } = classProbabilities(files.map((_, i) => values.subarray(i * classes, (i + 1) * classes)));
  const labels = readLabels(opts.labels, classes, scoresName);
  const k = Math.min(opts.top ?? 5, classes);
  const results = files.map((file, i) => ({ file, top: topK(rows[i]!, k, labels) }));
  if (opts.json) {
    out(JSON.stringify({ model, ms, output: scoresName, scores: source, input: { name: input.name, shape: [files.length, 3, ...size] }, images: results }));
    return 0;
  }
  out(source === 'softmax'
    ? `probabilities: softmax of output '${scoresName}' (its rows are not probability distributions, so taken as logits)`
    : `probabilities: output '${scoresName}' as it is (every row is in [0,1] and sums to 1)`);
  for (const r of results) {
    out(r.file);
    r.top.forEach((c, rank) => out(`  ${rank + 1}. ${String(c.index).padStart(4)}  ${c.probability.toFixed(4)}  ${c.label ?? ''}`.trimEnd()));
  }
  const how = (opts.preprocess ?? 'imagenet') === 'none' ? `resized to ${size.join('×')}, raw values` : `as ImageNet (resize ${defaultResize(size)}, crop ${size.join('×')})`;
  const custom = opts.mean !== undefined || opts.std !== undefined || opts.scale !== undefined ? ' with the given --scale/--mean/--std' : '';
  out(`${files.length} image(s) preprocessed ${how}${custom}, ran in ${ms.toFixed(1)} ms${opts.output ? `; wrote ${session.outputs.length} output file(s) to ${opts.output}` : ''}`);
  return 0;
}
