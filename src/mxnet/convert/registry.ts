// MXNet op name → converter into IR nodes. Aliases (old CamelCase names, numpy-style names) share one converter.
import type { ConvertContext } from './context.js';

export type MxConverter = (ctx: ConvertContext) => void;

const converters = new Map<string, MxConverter>();

export function registerMxConverter(ops: readonly string[], convert: MxConverter): void {
  for (const op of ops) {
    if (converters.has(op)) throw new Error(`MXNet converter for ${op} registered twice`);
    converters.set(op, convert);
  }
}

export function mxConverterFor(op: string): MxConverter | undefined {
  return converters.get(op);
}

export function supportedMxOps(): string[] {
  return [...converters.keys()].sort();
}
