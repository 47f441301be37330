// The time loop RNN, GRU and LSTM share: layouts, directions, per-batch sequence lengths, initial
// states and the Y / Y_h / Y_c outputs. An op supplies a cell: one time step of one sequence, which
// reads its input projection x_t·Wᵀ (computed for all steps at once, see projectInputs) and updates
// its state vectors (h, and c for LSTM) in place.
import { ShapeError } from '../../errors.js';
import { gemm, rowMajor, transposed } from './gemm.js';
import { Tensor } from '../../tensor/tensor.js';
import type { TensorType } from '../op.js';

/** One time step: `row` of projectInputs' result (x_t's row of X) → states updated in place (states[0] is h). */
export type Cell = (row: number, states: Float64Array[]) => void;

export interface RecurrentRun {
  x: Tensor;
  layout: number;
  hidden: number;
  direction: 'forward' | 'reverse' | 'bidirectional';
  sequenceLens: Tensor | undefined;
  /** Initial value of each carried state (h, c), or undefined for zeros. */
  initial: readonly (Tensor | undefined)[];
  /** The cell of direction d (0 forward, 1 reverse when bidirectional). */
  cell(d: number): Cell;
  outputs: readonly TensorType[];
}

/**
 * Runs every sequence of the batch through the cell of each direction. Steps past a sequence's
 * length leave Y zero; a reverse direction starts at the sequence's last valid step; Y_h / Y_c hold
 * the state after the last step processed, and zeros for a sequence of length 0 (as onnxruntime:
 * ONNX leaves that case open).
 */
export function runRecurrent(run: RecurrentRun): Tensor[] {
  const { x, layout, hidden: H } = run;
  const [seq, batch] = layout === 0 ? [x.shape[0]!, x.shape[1]!] : [x.shape[1]!, x.shape[0]!];
  const dirs = run.direction === 'bidirectional' ? 2 : 1;
  const lens = sequenceLengths(run.sequenceLens, batch, seq);
  const rowOf = (t: number, b: number) => (layout === 0 ? t * batch + b : b * seq + t);
  const yAt = (t: number, d: number, b: number) => (layout === 0 ? (t * dirs + d) * batch + b : (b * seq + t) * dirs + d) * H;
  const stateAt = (d: number, b: number) => (layout === 0 ? d * batch + b : b * dirs + d) * H;
  const y = new Float64Array(seq * dirs * batch * H);
  const initial = run.initial.map((t) => t?.numeric());
  const finals = initial.map(() => new Float64Array(dirs * batch * H));
  for (let d = 0; d < dirs; d++) {
    const cell = run.cell(d);
    const reverse = run.direction === 'reverse' || d === 1;
    for (let b = 0; b < batch; b++) {
      const at = stateAt(d, b);
      const states = initial.map((v) => (v ? Float64Array.from(v.subarray(at, at + H)) : new Float64Array(H)));
      const len = lens[b]!;
      for (let s = 0; s < len; s++) {
        const t = reverse ? len - 1 - s : s;
        cell(rowOf(t, b), states);
        y.set(states[0]!, yAt(t, d, b));
      }
      if (len > 0) states.forEach((v, k) => finals[k]!.set(v, at));
    }
  }
  return run.outputs.map((o, i) => Tensor.fromNumeric(o.dtype, o.shape, i === 0 ? y : finals[i - 1]!));
}

function sequenceLengths(t: Tensor | undefined, batch: number, seq: number): number[] {
  if (!t) return new Array<number>(batch).fill(seq);
  const lens = t.toNumbers();
  lens.forEach((l, b) => {
    if (!Number.isInteger(l) || l < 0 || l > seq) throw new ShapeError(`sequence_lens[${b}] = ${l} is outside 0..${seq} (the sequence length of X)`);
  });
  return lens;
}

/** w[row·n .. row·n + n) · v: a row of a recurrence matrix times a state vector. */
export function dotRow(w: Float32Array, row: number, n: number, v: Float64Array): number {
  let s = 0;
  const base = row * n;
  for (let k = 0; k < n; k++) s += w[base + k]! * v[k]!;
  return s;
}

/** A float32 or float16 weight tensor's values as a Float32Array (numeric() widens float16 to one). */
export const floats = (t: Tensor): Float32Array => t.numeric() as Float32Array;

/**
 * X·W_dᵀ for every row of X (each (time, batch) input vector, in X's memory order) at once, as one
 * matrix product: [rows, gates·hidden]. Only the recurrent term is left to the time loop.
 */
export function projectInputs(x: Tensor, w: Tensor, d: number): Float32Array {
  const input = x.shape[2]!;
  const width = w.shape[1]!;
  const rows = x.size / input;
  const out = new Float32Array(rows * width);
  gemm(rows, width, input, rowMajor(floats(x), 0, input), transposed(rowMajor(floats(w), d * width * input, input)), out, 0, width, false);
  return out;
}
