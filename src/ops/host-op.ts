// Host ops (control flow, sequences, optionals): their output types exist only at run time.
import { ShapeError } from '../errors.js';
import type { AttrSchema } from '../ir/attr.js';
import { defineOp, type OpDef } from './op.js';

/** Defines a host op (see OpDef.host): static shape inference stops at it with a clear error. */
export function defineHostOp<S extends AttrSchema>(def: Omit<OpDef<S>, 'infer' | 'host'>): OpDef<S> {
  return defineOp({
    ...def,
    host: true,
    infer() {
      throw new ShapeError(`${def.type} gives values whose types are known only when it runs (control flow, sequences, optionals): static shape inference cannot follow it; run the model in the framework`);
    },
  });
}
