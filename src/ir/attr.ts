import { GraphError } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Graph, ValueKind } from './graph.js';

/** An attribute as stored on a node (ONNX's AttributeProto, int64 narrowed to number). */
export type AttrValue =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: Tensor }
  | { type: 'floats'; value: number[] }
  | { type: 'ints'; value: number[] }
  | { type: 'strings'; value: string[] }
  /** A subgraph (If's branches, Loop's and Scan's body); it may read values of enclosing graphs by name. */
  | { type: 'graph'; value: Graph }
  | { type: 'graphs'; value: Graph[] }
  /** A value type (Optional's `type`): the kind and the element dtype. */
  | { type: 'type'; value: { kind: ValueKind; dtype: DType } };

export type AttrType = AttrValue['type'];
export type Attrs = Record<string, AttrValue>;

/** One attribute of an op's schema: its type, default, and check. */
export interface AttrSpec<T> {
  readonly type: AttrType;
  /** Parses the raw attribute; `where` names the node for errors. */
  parse(raw: AttrValue | undefined, name: string, where: string): T;
}

type Check<T> = (v: T) => string | undefined;

function spec<T>(type: AttrType, fallback: (() => T) | undefined, check?: Check<T>): AttrSpec<T> {
  return {
    type,
    parse(raw, name, where) {
      if (raw === undefined) {
        if (fallback === undefined) throw new GraphError(`required attribute '${name}' is missing`, { where });
        return fallback();
      }
      // ONNX writers sometimes store an int where a float is declared, and vice versa.
      let v: unknown = raw.value;
      if (raw.type !== type) {
        if (type === 'float' && raw.type === 'int') v = raw.value;
        else if (type === 'int' && raw.type === 'float' && Number.isInteger(raw.value)) v = raw.value;
        else if (type === 'floats' && raw.type === 'ints') v = raw.value;
        else throw new GraphError(`attribute '${name}' must be ${type}, got ${raw.type}`, { where });
      }
      const msg = check?.(v as T);
      if (msg) throw new GraphError(`attribute '${name}' ${msg}`, { where });
      return v as T;
    },
  };
}

function oneOf<T extends string>(choices: readonly T[]): Check<string> {
  return (v) => (choices.includes(v as T) ? undefined : `must be one of ${choices.join(', ')}; got '${v}'`);
}

/** Builders for attribute specs. A default of `undefined` means "optional, may be absent". */
export const attr = {
  float: (def?: number) => spec<number>('float', def === undefined ? undefined : () => def),
  int: (def?: number) => spec<number>('int', def === undefined ? undefined : () => def),
  string: <T extends string = string>(def?: T, choices?: readonly T[]) =>
    spec<T>('string', def === undefined ? undefined : () => def, choices ? (oneOf(choices) as Check<T>) : undefined),
  floats: (def?: number[]) => spec<number[]>('floats', def === undefined ? undefined : () => [...def]),
  ints: (def?: number[]) => spec<number[]>('ints', def === undefined ? undefined : () => [...def]),
  strings: (def?: string[]) => spec<string[]>('strings', def === undefined ? undefined : () => [...def]),
  tensor: () => spec<Tensor>('tensor', undefined),
  graph: () => spec<Graph>('graph', undefined),
  type: () => spec<{ kind: ValueKind; dtype: DType }>('type', undefined),
  /** Wraps a spec so that an absent attribute parses to `undefined`. */
  optional<T>(s: AttrSpec<T>): AttrSpec<T | undefined> {
    return { type: s.type, parse: (raw, name, where) => (raw === undefined ? undefined : s.parse(raw, name, where)) };
  },
};

export type AttrSchema = Record<string, AttrSpec<unknown>>;
export type AttrsOf<S extends AttrSchema> = { [K in keyof S]: S[K] extends AttrSpec<infer T> ? T : never };

/** Parses a node's raw attributes against a schema; unknown attributes are an error. */
export function parseAttrs<S extends AttrSchema>(schema: S, raw: Attrs, where: string): AttrsOf<S> {
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(schema)) out[name] = s.parse(raw[name], name, where);
  for (const name of Object.keys(raw)) {
    if (!(name in schema)) {
      throw new GraphError(`unknown attribute '${name}'; this op takes ${Object.keys(schema).join(', ') || 'no attributes'}`, { where });
    }
  }
  return out as AttrsOf<S>;
}
