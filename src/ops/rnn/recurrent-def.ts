// What RNN, GRU and LSTM share: their attributes and their shape function. The ops differ in the
// number of gates stacked in W and R (1, 3, 4), in the states they carry (h; h and c) and in LSTM's
// peepholes.
//
// Shapes (layout 0 / layout 1):
//   X [seq, batch, input] / [batch, seq, input]
//   W [dirs, gates·hidden, input]   R [dirs, gates·hidden, hidden]   B [dirs, 2·gates·hidden]
//   sequence_lens [batch] (int32)   initial_h, initial_c [dirs, batch, hidden] / [batch, dirs, hidden]
//   Y [seq, dirs, batch, hidden] / [batch, seq, dirs, hidden]   Y_h, Y_c like initial_h
import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import type { InferInput, TensorType } from '../op.js';

export const DIRECTIONS = ['forward', 'reverse', 'bidirectional'] as const;

export const recurrentAttrs = {
  activation_alpha: attr.floats([]),
  activation_beta: attr.floats([]),
  activations: attr.optional(attr.strings()),
  clip: attr.optional(attr.float()),
  direction: attr.string<(typeof DIRECTIONS)[number]>('forward', DIRECTIONS),
  hidden_size: attr.optional(attr.int()),
  layout: attr.int(0),
};

export interface RecurrentDims {
  seq: number;
  batch: number;
  input: number;
  hidden: number;
  dirs: number;
}

/** Checks the inputs of a recurrent op with `gates` gates and returns its dimensions. */
export function recurrentDims(
  inputs: readonly (InferInput | undefined)[], a: { direction: string; hidden_size: number | undefined; layout: number }, gates: number,
): RecurrentDims {
  const [x, w, r, b, lens, h0] = inputs;
  if (a.layout !== 0 && a.layout !== 1) throw new ShapeError(`layout must be 0 or 1, got ${a.layout}`);
  const shape = (t: InferInput, name: string, rank: number) => {
    if (t.shape.length !== rank) throw new ShapeError(`${name} must be ${rank}-D, got [${t.shape.join(',')}]`);
    return t.shape;
  };
  const [d0, d1, input] = shape(x!, 'X', 3);
  const [seq, batch] = a.layout === 0 ? [d0!, d1!] : [d1!, d0!];
  const dirs = a.direction === 'bidirectional' ? 2 : 1;
  const rs = shape(r!, 'R', 3);
  const hidden = a.hidden_size ?? rs[2]!;
  const expect = (t: InferInput | undefined, name: string, want: number[]) => {
    if (t && (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i]))) {
      throw new ShapeError(`${name} must have shape [${want.join(',')}], got [${t.shape.join(',')}]`);
    }
  };
  expect(w, 'W', [dirs, gates * hidden, input!]);
  expect(r, 'R', [dirs, gates * hidden, hidden]);
  expect(b, 'B', [dirs, 2 * gates * hidden]);
  expect(lens, 'sequence_lens', [batch]);
  if (lens && lens.dtype !== 'int32' && lens.dtype !== 'int64') throw new ShapeError(`sequence_lens must be int32, got ${lens.dtype}`);
  const state = a.layout === 0 ? [dirs, batch, hidden] : [batch, dirs, hidden];
  expect(h0, 'initial_h', state);
  for (const t of [w, r, b, h0]) {
    if (t && t.dtype !== x!.dtype) throw new ShapeError(`W, R, B and initial states must be ${x!.dtype} like X, got ${t.dtype}`);
  }
  return { seq, batch, input: input!, hidden, dirs };
}

/** Output types: Y, then one state output per carried state (Y_h; Y_h and Y_c). */
export function recurrentOutputs(x: InferInput, d: RecurrentDims, layout: number, outputCount: number): TensorType[] {
  const y = layout === 0 ? [d.seq, d.dirs, d.batch, d.hidden] : [d.batch, d.seq, d.dirs, d.hidden];
  const state = layout === 0 ? [d.dirs, d.batch, d.hidden] : [d.batch, d.dirs, d.hidden];
  return Array.from({ length: outputCount }, (_, i) => ({ dtype: x.dtype, shape: i === 0 ? y : [...state] }));
}
