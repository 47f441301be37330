// Runs ONNX backend-test folders (model.onnx + test_data_set_N/{input,output}_K.pb).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NnrtError, UsageError } from '../errors.js';
import { createSession, type Session, type SessionOptions, type SessionStats } from '../runtime/session.js';
import { FP32_TOLERANCE, type Comparison, type Tolerance } from '../tensor/compare.js';
import { compareValues } from '../tensor/compare-values.js';
import { Tensor } from '../tensor/tensor.js';
import type { Value } from '../tensor/value.js';
import type { Graph, OutputInfo } from '../ir/graph.js';
import { loadOnnxFile, readValuePb } from './files.js';
import './webgpu.js'; // registers Dawn as the GPU of device 'webgpu'
import './images.js'; // registers PNG decoding for ImageDecoder

export interface DataSet<V extends Value = Value> {
  dir: string;
  inputs: V[];
  outputs: V[];
}

export function listDataSets(modelDir: string): string[] {
  if (!existsSync(modelDir)) return [];
  return readdirSync(modelDir)
    .filter((d) => d.startsWith('test_data_set_') && statSync(join(modelDir, d)).isDirectory())
    .sort((a, b) => Number(a.slice(14)) - Number(b.slice(14)))
    .map((d) => join(modelDir, d));
}

function numbered(dir: string, prefix: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(prefix.length, -3)) - Number(b.slice(prefix.length, -3)))
    .map((f) => join(dir, f));
}

/**
 * Reads a data set; `types` (the model's inputs and outputs, by position) says which files hold
 * sequences or optionals (SequenceProto, OptionalProto) rather than tensors.
 */
export function loadDataSet(dir: string): DataSet<Tensor>;
export function loadDataSet(dir: string, types: { inputs: readonly OutputInfo[]; outputs: readonly OutputInfo[] }): DataSet;
export function loadDataSet(dir: string, types?: { inputs: readonly OutputInfo[]; outputs: readonly OutputInfo[] }): DataSet {
  if (!existsSync(dir)) throw new UsageError(`test data directory '${dir}' does not exist`);
  const read = (files: string[], decl: readonly OutputInfo[] | undefined) =>
    files.map((f, i) => readValuePb(f, decl?.[i]?.kind ?? 'tensor', decl?.[i]?.dtype ?? 'float32'));
  return {
    dir,
    inputs: read(numbered(dir, 'input_'), types?.inputs),
    outputs: read(numbered(dir, 'output_'), types?.outputs),
  };
}

export interface OutputCheck extends Comparison {
  name: string;
  shape: number[];
}

export interface DataSetResult {
  dir: string;
  outputs: OutputCheck[];
  pass: boolean;
}

/** Runs one model on data sets and compares every output; inputs/outputs match by position. */
export async function verifyModel(
  model: string | Graph, dataDirs: string[], opts: SessionOptions & { tolerance?: Tolerance } = {},
): Promise<{ results: DataSetResult[]; stats: SessionStats }> {
  const graph = typeof model === 'string' ? loadOnnxFile(model).graph : model;
  return verifySession(await createSession(graph, opts), dataDirs, opts.tolerance);
}

/** Runs a session (any device, engine or loaded plan) on data sets; disposes it at the end. */
export async function verifySession(
  session: Session, dataDirs: string[], tolerance?: Tolerance,
): Promise<{ results: DataSetResult[]; stats: SessionStats }> {
  const tol = tolerance ?? FP32_TOLERANCE;
  const results: DataSetResult[] = [];
  try {
    for (const dir of dataDirs) {
      const ds = loadDataSet(dir, session);
      if (ds.inputs.length !== session.inputs.length) {
        throw new UsageError(`'${dir}' holds ${ds.inputs.length} inputs; the model takes ${session.inputs.length} (${session.inputs.map((i) => i.name).join(', ')})`);
      }
      if (ds.outputs.length > session.outputs.length) {
        throw new UsageError(`'${dir}' holds ${ds.outputs.length} outputs; the model has ${session.outputs.length}`);
      }
      const feeds = Object.fromEntries(session.inputs.map((v, i) => [v.name, ds.inputs[i]!]));
      const got = await runAny(session, feeds);
      const outputs = ds.outputs.map((want, i) => {
        const name = session.outputs[i]!.name;
        return { name, shape: want instanceof Tensor ? [...want.shape] : [], ...compareValues(got[name]!, want, tol) };
      });
      results.push({ dir, outputs, pass: outputs.every((o) => o.pass) });
    }
    return { results, stats: session.stats() };
  } finally {
    session.dispose();
  }
}

/** Tensor-only data runs on any session; sequences and optionals need a framework session. */
async function runAny(session: Session, feeds: Record<string, Value>): Promise<Record<string, Value>> {
  if (session.runValues) return session.runValues(feeds);
  const bad = Object.entries(feeds).find(([, v]) => !(v instanceof Tensor));
  if (bad) throw new UsageError(`input '${bad[0]}' is a sequence or optional value; this session takes tensors only`);
  return session.run(feeds as Record<string, Tensor>);
}

export interface ConformanceResult {
  folder: string;
  status: 'pass' | 'fail' | 'skip';
  reason?: string;
  /** With the engine on: how many engine subgraphs the case's graph was given. */
  engineSubgraphs?: number;
}

/** One backend-test folder: pass, fail with the error, or skip when an exclusion names it. */
export async function runConformanceCase(
  folder: string, opts: SessionOptions & { tolerance?: Tolerance }, exclusion: string | undefined,
): Promise<ConformanceResult> {
  if (exclusion) return { folder, status: 'skip', reason: exclusion };
  try {
    const { results: sets, stats } = await verifyModel(join(folder, 'model.onnx'), listDataSets(folder), opts);
    const engineSubgraphs = stats.engine?.partition.subgraphs.length;
    const bad = sets.flatMap((s) => s.outputs.filter((o) => !o.pass).map((o) => ({ s, o })));
    if (bad.length === 0) return { folder, status: 'pass', ...(engineSubgraphs ? { engineSubgraphs } : {}) };
    const { o } = bad[0]!;
    const detail = o.reason ?? `max abs err ${o.maxAbsError.toExponential(2)}, ${o.mismatches} mismatches` +
      (o.firstMismatch ? ` (first at ${o.firstMismatch.index}: got ${o.firstMismatch.got}, want ${o.firstMismatch.want})` : '');
    return { folder, status: 'fail', reason: `output '${o.name}': ${detail}` };
  } catch (e) {
    const msg = e instanceof NnrtError ? `${e.name}: ${e.message}` : `crash: ${(e as Error).stack ?? String(e)}`;
    return { folder, status: 'fail', reason: msg };
  }
}
