import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../node/atomic-write.js';
import { readTensorPb } from '../node/files.js';
import { loadModelFromFile, type ModelFileOptions } from '../node/load-model.js';
import { encodeTensorProto } from '../onnx/tensor-write.js';
import { createSession, type SessionOptions } from '../session.js';
import type { Tensor } from '../tensor/tensor.js';

export interface RunOptions extends SessionOptions, ModelFileOptions {
  input?: string[];
  output?: string;
  json?: boolean;
}

/** Parses `NAME=FILE.pb` (or a bare FILE.pb for a single-input model). */
function parseInputs(specs: string[], names: string[]): Record<string, Tensor> {
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
  if (missing.length) throw new UsageError(`no data given for input${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, { hint: 'pass --input NAME=FILE.pb' });
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
  const { graph } = loadModelFromFile(model, opts);
  const session = await createSession(graph, opts);
  try {
    const feeds = parseInputs(opts.input ?? [], session.inputs.map((v) => v.name));
    const t0 = performance.now();
    const outputs = await session.run(feeds);
    const ms = performance.now() - t0;
    if (opts.output) {
      mkdirSync(opts.output, { recursive: true });
      session.outputs.forEach((o, k) => {
        const file = join(opts.output!, `output_${k}.pb`);
        writeFileAtomic(file, encodeTensorProto(o.name, outputs[o.name]!));
      });
    }
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
