// Bench models: a zoo architecture exported to ONNX at the bench batch, or ONNX bytes from a file;
// either way nnrt and the peers run the same ONNX model on the same seeded inputs (valid ones for
// integer inputs: see src/runtime/sample-inputs.ts), or on tensors given with --input.
import { UsageError } from '../errors.js';
import type { Dim, Graph } from '../ir/graph.js';
import { importOnnx } from '../onnx/import/model.js';
import { bindShape } from '../ir/infer.js';
import { sampleInputs } from '../runtime/sample-inputs.js';
import type { Tensor } from '../tensor/tensor.js';
import { get_model, vision, type ModelName } from '../zoo/vision.js';
import type { BenchModel } from './types.js';

/** The seed's benchmark table: `nnrt bench` with no model runs these. */
export const SEED_TABLE_MODELS = ['resnet18_v2', 'resnet50_v2', 'resnet101_v2', 'alexnet', 'cifar_resnet20_v2', 'cifar_resnext29_16x64d'] as const;

/** The zoo's name for `name` (case-insensitive, '.' for '_'), or undefined when it is not a zoo model. */
export function zooName(name: string): ModelName | undefined {
  const key = name.toLowerCase().replace(/\./g, '_');
  return key in vision ? (key as ModelName) : undefined;
}

/** The input a zoo architecture is benchmarked at: 224² for ImageNet models, 32² for CIFAR. */
export function zooInputShape(name: ModelName, batch: number): number[] {
  if (name === 'wavenet') return [batch, 256, 40];
  if (name.startsWith('cifar')) return [batch, 3, 32, 32];
  if (name === 'inception_v3') return [batch, 3, 299, 299];
  return [batch, 3, 224, 224];
}

const parameterCount = (g: Graph) => [...g.initializers.values()].reduce((a, t) => a + t.size, 0);

/**
 * Concrete input shapes: a given tensor's shape (it must fit the declared one); else a symbolic
 * first dimension becomes `batch`, a fixed first dimension must equal `batch` when one was asked
 * for, and any other symbolic dimension is an error.
 */
export function concreteInputShapes(graph: Graph, batch: number | undefined, where: string, given: Record<string, Tensor> = {}): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const inputs = graph.inputs.filter((x) => !graph.initializers.has(x.name));
  for (const name of Object.keys(given)) {
    if (!inputs.some((v) => v.name === name)) throw new UsageError(`--input ${name}: the model has no input '${name}'`, { where, hint: `it takes ${inputs.map((v) => v.name).join(', ')}` });
  }
  for (const v of inputs) {
    const t = given[v.name];
    if (t) {
      if (t.dtype !== v.dtype) throw new UsageError(`--input ${v.name} is ${t.dtype}, the model takes ${v.dtype}`, { where });
      bindShape(v, t.shape);
      out.set(v.name, [...t.shape]);
      continue;
    }
    const shape = v.shape.map((d: Dim, i) => {
      if (typeof d === 'number') {
        if (i === 0 && batch !== undefined && d !== batch) {
          throw new UsageError(`input '${v.name}' has a fixed batch of ${d}, but --batch ${batch} was asked for`, {
            where, hint: `leave out --batch, or export the model at batch ${batch} (or with a dynamic batch dimension)`,
          });
        }
        return d;
      }
      if (i === 0) return batch ?? 1;
      throw new UsageError(`input '${v.name}' has a symbolic dimension '${d}' at axis ${i}`, { where, hint: `give it with --input ${v.name}=FILE.pb, or export the model with fixed sizes for every axis but the batch` });
    });
    out.set(v.name, shape);
  }
  return out;
}

/** Sets the graph's input shapes (symbolic dims resolved) so every session sees static shapes. */
function fixInputShapes(graph: Graph, shapes: ReadonlyMap<string, number[]>): Graph {
  graph.inputs = graph.inputs.map((v) => (shapes.has(v.name) ? { ...v, shape: [...shapes.get(v.name)!] } : v));
  return graph;
}

/** A BenchModel from ONNX bytes; `load` reads them into a graph (default: importOnnx). */
export function onnxBenchModel(name: string, source: 'zoo' | 'file', onnx: Uint8Array, o: {
  batch?: number; seed: number; path?: string; load?: () => Graph; given?: Record<string, Tensor>;
}): BenchModel {
  const load = o.load ?? (() => importOnnx(onnx, { source: o.path ?? name }).graph);
  const probe = load();
  const shapes = concreteInputShapes(probe, o.batch, o.path ?? name, o.given);
  fixInputShapes(probe, shapes);
  const first = [...shapes.values()][0];
  const model: BenchModel = {
    name, source, onnx,
    loadGraph: () => fixInputShapes(load(), shapes),
    inputs: sampleInputs(probe, o.seed, shapes, o.given),
    batch: first?.[0] ?? 1,
    parameters: parameterCount(probe),
  };
  if (o.path !== undefined) model.path = o.path;
  return model;
}

/** A zoo architecture with seeded weights, exported to ONNX at `batch` (no pretrained download). */
export function zooBenchModel(name: string, batch: number, seed: number, given?: Record<string, Tensor>): BenchModel {
  const key = zooName(name);
  const net = get_model(key ?? name).initialize({ seed });
  const onnx = net.exportOnnx({ dtype: 'float32', shape: zooInputShape(key!, batch) });
  return onnxBenchModel(key!, 'zoo', onnx, { batch, seed, ...(given ? { given } : {}) });
}
