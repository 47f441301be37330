// Reference outputs from onnxruntime-node (an independent runtime) for tiny one-node models,
// and a comparison against nnrt's CPU executor. For op tests with random inputs.
import assert from 'node:assert/strict';
import ort from 'onnxruntime-node';
import { compareTensors, FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { ModelProto, ONNX_DTYPE, ATTR_TYPE } from '../../src/onnx/proto.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import type { CpuKernelChoice } from '../../src/executor/program.js';
import { createSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { uniformTensor } from '../../src/tensor/random.js';
import type { DType, NumericStorage } from '../../src/tensor/dtype.js';

const CODE: Record<DType, number> = {
  float32: ONNX_DTYPE.FLOAT, float16: ONNX_DTYPE.FLOAT16, int8: ONNX_DTYPE.INT8, uint8: ONNX_DTYPE.UINT8,
  int32: ONNX_DTYPE.INT32, int64: ONNX_DTYPE.INT64, bool: ONNX_DTYPE.BOOL, string: ONNX_DTYPE.STRING,
};

export type AttrSpec = number | string | number[] | string[] | { floats: number[] } | { float: number } | Tensor;

export interface OneNodeSpec {
  op: string;
  opset?: number;
  /** The node's domain (default ai.onnx); a non-default domain is imported at version 1. */
  domain?: string;
  attrs?: Record<string, AttrSpec>;
  /** Runtime inputs (name → tensor); '' entries in `inputOrder` mark omitted optional inputs. */
  inputs: Record<string, Tensor>;
  /** Constant inputs stored as initializers. */
  initializers?: Record<string, Tensor>;
  inputOrder: string[];
  outputs: string[];
}

export function tensorProto(name: string, t: Tensor) {
  if (t.dtype === 'string') return { name, dims: [...t.shape], dataType: CODE.string, stringData: (t.data as string[]).map((s) => new TextEncoder().encode(s)) };
  const data = t.data as NumericStorage;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { name, dims: [...t.shape], dataType: CODE[t.dtype], rawData: bytes };
}

/** An AttributeProto (as a plain object) for one attribute value. */
export function attrProto(name: string, v: AttrSpec) {
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: ATTR_TYPE.INT, i: v } : { name, type: ATTR_TYPE.FLOAT, f: v };
  if (typeof v === 'string') return { name, type: ATTR_TYPE.STRING, s: new TextEncoder().encode(v) };
  if (v instanceof Tensor) return { name, type: ATTR_TYPE.TENSOR, t: tensorProto(name, v) };
  if (Array.isArray(v)) {
    if (v.length && typeof v[0] === 'string') return { name, type: ATTR_TYPE.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
    return (v as number[]).every(Number.isInteger) ? { name, type: ATTR_TYPE.INTS, ints: v } : { name, type: ATTR_TYPE.FLOATS, floats: v };
  }
  if ('floats' in v) return { name, type: ATTR_TYPE.FLOATS, floats: v.floats };
  return { name, type: ATTR_TYPE.FLOAT, f: v.float };
}

/** Encodes a one-node ONNX model (outputs' types left for the runtimes to infer). */
export function oneNodeModel(spec: OneNodeSpec): Uint8Array {
  const vi = (name: string, t: Tensor) => ({
    name, type: { tensorType: { elemType: CODE[t.dtype], shape: { dim: t.shape.map((d) => ({ dimValue: d })) } } },
  });
  const msg = ModelProto.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: spec.opset ?? 18 }, ...(spec.domain ? [{ domain: spec.domain, version: 1 }] : [])],
    graph: {
      name: 'g',
      node: [{ name: 'n', opType: spec.op, domain: spec.domain ?? '', input: spec.inputOrder, output: spec.outputs, attribute: Object.entries(spec.attrs ?? {}).map(([k, v]) => attrProto(k, v)) }],
      input: Object.entries(spec.inputs).map(([k, t]) => vi(k, t)),
      initializer: Object.entries(spec.initializers ?? {}).map(([k, t]) => tensorProto(k, t)),
      output: spec.outputs.filter(Boolean).map((name) => ({ name })),
    },
  });
  // copy: protobufjs may hand out a view of a pooled buffer that later encodes overwrite (in Node a
  // Buffer, whose slice() is a view too)
  return new Uint8Array(ModelProto.encode(msg).finish());
}

// int16 and uint16 come back as int32, the dtype nnrt holds them in
const ORT_TYPE: Record<string, DType> = { float32: 'float32', float16: 'float16', int8: 'int8', uint8: 'uint8', int16: 'int32', uint16: 'int32', int32: 'int32', int64: 'int64', bool: 'bool', string: 'string' };

/** Runs the model in onnxruntime-node; returns outputs as nnrt tensors. */
export async function runOrt(model: Uint8Array, inputs: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  const feeds: Record<string, ort.Tensor> = {};
  for (const [k, t] of Object.entries(inputs)) feeds[k] = new ort.Tensor(t.dtype, t.data as never, [...t.shape]);
  const res = await session.run(feeds);
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(res)) {
    const dtype = ORT_TYPE[v.type];
    if (!dtype) throw new Error(`onnxruntime returned ${v.type}`);
    const widen = dtype === 'bool' ? Uint8Array : v.type === 'int16' || v.type === 'uint16' ? Int32Array : undefined;
    out[k] = new Tensor(dtype, v.dims as number[], (widen ? widen.from(v.data as ArrayLike<number>) : v.data) as never);
  }
  await session.release();
  return out;
}

/** Runs the same model in nnrt's CPU framework (default: its fast kernels). */
export async function runNnrt(model: Uint8Array, inputs: Record<string, Tensor>, cpuKernels: CpuKernelChoice = 'fast'): Promise<Record<string, Tensor>> {
  const { graph } = importOnnx(model);
  const s = await createSession(graph, { device: 'cpu', cpuKernels });
  return s.run(inputs);
}

/** Seeded pseudo-random floats in [lo, hi) (mulberry32). */
export function randomTensor(shape: number[], seed = 1, lo = -1, hi = 1): Tensor<'float32'> {
  return uniformTensor(shape, seed, lo, hi);
}

/** Runs a one-node model in onnxruntime and nnrt (CPU) and asserts every output agrees within `tol`. */
export async function expectOneNodeLikeOrt(spec: OneNodeSpec, tol: Tolerance = FP32_TOLERANCE, cpuKernels: CpuKernelChoice = 'fast'): Promise<void> {
  const model = oneNodeModel(spec);
  const want = await runOrt(model, spec.inputs);
  const got = await runNnrt(model, spec.inputs, cpuKernels);
  for (const name of spec.outputs) {
    const c = compareTensors(got[name]!, want[name]!, tol);
    assert.ok(c.pass, `${spec.op} ${JSON.stringify(spec.attrs ?? {})} (${cpuKernels} kernels) ${name}: ${c.reason ?? JSON.stringify(c)}`);
  }
}
