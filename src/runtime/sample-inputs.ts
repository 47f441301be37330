// Seeded inputs a model accepts, for `nnrt bench` and `nnrt run --random-inputs`: floats uniform in
// [-1, 1); integer inputs made valid by what the graph does with them — token ids below the row count
// of the embedding table they index (walked through Cast/Unsqueeze/Reshape... to a Gather), attention
// masks of ones, position ids 0..n-1, other integers small and non-negative.
import { UsageError } from '../errors.js';
import type { Graph, Node, ValueInfo } from '../ir/graph.js';
import { inferShapes } from '../ir/infer.js';
import { opTyper } from '../ops/typer.js';
import type { DType } from '../tensor/dtype.js';
import { mulberry32, uniformTensor } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';

/** What values a sampled input holds, and why (shown by `nnrt bench` and tests). */
export type InputValues =
  | { kind: 'uniform' }
  | { kind: 'indices'; below: number; table: string }
  | { kind: 'ones' }
  | { kind: 'positions' }
  | { kind: 'small' };

/** Ops whose output carries their first input's values unchanged (up to layout or type). */
const PASS_THROUGH = new Set(['Cast', 'CastLike', 'Unsqueeze', 'Squeeze', 'Reshape', 'Flatten', 'Identity', 'Expand', 'Transpose', 'Tile']);
const INTEGER: ReadonlySet<DType> = new Set(['int8', 'int32', 'int64', 'uint8']);
/** Integers drawn for inputs nothing bounds: 0..SMALL-1. */
const SMALL = 10;

/** A dimension of a value: from an initializer, else from shape inference (when it ran). */
type DimOf = (value: string, axis: number) => number | undefined;

function intAttr(n: Node, name: string, fallback: number): number {
  const a = n.attrs[name];
  return a && a.type === 'int' ? a.value : fallback;
}

/**
 * The largest index count `name` may reach without going out of range: the smallest size of the
 * indexed axis over every Gather (or EmbedLayerNormalization) it feeds as indices, directly or
 * through pass-through ops. Undefined when it indexes nothing whose size is known.
 */
function indexBound(graph: Graph, name: string, dimOf: DimOf): { below: number; table: string } | undefined {
  const consumers = graph.consumers();
  let best: { below: number; table: string } | undefined;
  const seen = new Set<string>();
  const stack = [name];
  const offer = (table: string, axis: number) => {
    const d = dimOf(table, axis);
    if (d !== undefined && d > 0 && (!best || d < best.below)) best = { below: d, table };
  };
  while (stack.length) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    for (const n of consumers.get(v) ?? []) {
      if (n.domain === '' && n.opType === 'Gather' && n.inputs[1] === v && n.inputs[0]) {
        const rank = graph.initializers.get(n.inputs[0])?.shape.length;
        const axis = intAttr(n, 'axis', 0);
        offer(n.inputs[0], axis < 0 && rank !== undefined ? axis + rank : axis);
      } else if (n.domain === 'com.microsoft' && n.opType === 'EmbedLayerNormalization') {
        // input_ids index word_embedding (2), segment_ids segment_embedding (4), position_ids position_embedding (3)
        const table = n.inputs[0] === v ? n.inputs[2] : n.inputs[1] === v ? n.inputs[4] : n.inputs[8] === v ? n.inputs[3] : undefined;
        if (table) offer(table, 0);
      } else if (n.domain === '' && PASS_THROUGH.has(n.opType) && n.inputs[0] === v) {
        for (const o of n.outputs) if (o) stack.push(o);
      }
    }
  }
  return best;
}

function dimsOf(graph: Graph, shapes: ReadonlyMap<string, number[]>): DimOf {
  let inferred: ReturnType<typeof inferShapes> | undefined | null;
  return (value, axis) => {
    const init = graph.initializers.get(value);
    if (init) return init.shape[axis];
    // a table that is computed (dequantized, a Constant node): infer shapes once, if the graph allows
    if (inferred === undefined) {
      try {
        inferred = inferShapes(graph, opTyper, Object.fromEntries(shapes));
      } catch {
        inferred = null;
      }
    }
    const d = inferred?.get(value)?.shape[axis];
    return typeof d === 'number' ? d : undefined;
  };
}

/** What `sampleInputs` puts in each integer or bool input (floats are 'uniform'). */
export function inputValues(graph: Graph, v: ValueInfo, dimOf: DimOf = dimsOf(graph, new Map())): InputValues {
  if (!INTEGER.has(v.dtype) && v.dtype !== 'bool') return { kind: 'uniform' };
  const lower = v.name.toLowerCase();
  if (lower.includes('mask')) return { kind: 'ones' };
  if (v.dtype === 'bool') return { kind: 'small' };
  if (lower.includes('position')) return { kind: 'positions' };
  const bound = indexBound(graph, v.name, dimOf);
  return bound ? { kind: 'indices', ...bound } : { kind: 'small' };
}

function integers(dtype: DType, shape: readonly number[], f: (i: number) => number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromNumeric(dtype, shape, Float64Array.from({ length: n }, (_, i) => f(i)));
}

/**
 * Seeded inputs for the graph's model inputs at the given shapes (default: the declared shape,
 * symbolic dimensions 1); input k uses seed + k. `given` inputs are kept as they are.
 */
export function sampleInputs(graph: Graph, seed: number, shapes: ReadonlyMap<string, number[]> = new Map(), given: Record<string, Tensor> = {}): Record<string, Tensor> {
  const inputs = graph.inputs.filter((v) => !graph.initializers.has(v.name));
  const concrete = new Map(inputs.map((v) => [v.name, given[v.name]?.shape.slice() ?? shapes.get(v.name) ?? v.shape.map((d) => (typeof d === 'number' ? d : 1))]));
  const dimOf = dimsOf(graph, concrete);
  const feeds: Record<string, Tensor> = {};
  inputs.forEach((v, k) => {
    if (given[v.name]) {
      feeds[v.name] = given[v.name]!;
      return;
    }
    const shape = concrete.get(v.name)!;
    const s = seed + k;
    if (v.dtype === 'float32') feeds[v.name] = uniformTensor(shape, s);
    else if (v.dtype === 'float16') feeds[v.name] = Tensor.fromNumeric('float16', shape, uniformTensor(shape, s).data);
    else if (v.dtype === 'string') throw new UsageError(`input '${v.name}' takes strings, which nnrt does not make up`, { hint: 'give it a TensorProto file: --input NAME=FILE.pb' });
    else {
      const values = inputValues(graph, v, dimOf);
      const rand = mulberry32(s);
      const last = shape[shape.length - 1] ?? 1;
      const pick: Record<InputValues['kind'], (i: number) => number> = {
        uniform: () => rand(),
        ones: () => 1,
        positions: (i) => i % last,
        indices: () => Math.floor(rand() * (values.kind === 'indices' ? values.below : SMALL)),
        small: () => Math.floor(rand() * (v.dtype === 'bool' ? 2 : SMALL)),
      };
      feeds[v.name] = integers(v.dtype, shape, pick[values.kind]);
    }
  });
  return feeds;
}
