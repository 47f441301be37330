// LSTM, GRU and RNN on the WebAssembly SIMD kernels, for float32 with the default activations:
// the input projection X·Wᵀ of every step and both directions is one GEMM (api-gemm), then
// each direction's time loop runs in one kernel call per range of batch entries (assembly/rnn.ts),
// the calls spread over the thread pool (a bidirectional layer's directions run side by side).
// Constant W (packed for the GEMM) and Rᵀ stay resident in the kernels' memory between runs
// (resident.ts). Other activations and dtypes return undefined, and the reference kernels run instead.
import { ShapeError } from '../errors.js';
import type { TensorType } from '../ops/op.js';
import { resolveActivationSpecs } from '../ops/_kernels/rnn-activation.js';
import { Tensor } from '../tensor/tensor.js';
import { gemm, packGemmB, type PackedB, type RawB } from './api-gemm.js';
import { scratchPerThread, splitRange, threadsFor } from './parallel.js';
import { residentPacked } from './resident.js';
import type { KernelCall } from './thread-pool.js';
import type { ReservedBlock, WasmKernels } from './wasm-kernels.js';

export type RecurrentKind = 'lstm' | 'gru' | 'rnn';

/** Gates stacked in W and R, and the default activations, per kind. */
const KINDS: Record<RecurrentKind, { gates: number; defaults: string[]; perDirection: number }> = {
  lstm: { gates: 4, defaults: ['Sigmoid', 'Tanh', 'Tanh'], perDirection: 3 },
  gru: { gates: 3, defaults: ['Sigmoid', 'Tanh'], perDirection: 2 },
  rnn: { gates: 1, defaults: ['Tanh', 'Tanh'], perDirection: 1 },
};

export interface RecurrentFastRun {
  kind: RecurrentKind;
  x: Tensor;
  w: Tensor;
  r: Tensor;
  b: Tensor | undefined;
  lens: Tensor | undefined;
  h0: Tensor | undefined;
  /** LSTM only: initial_c and the peepholes P. */
  c0?: Tensor | undefined;
  p?: Tensor | undefined;
  attrs: {
    activations: readonly string[] | undefined; activation_alpha: readonly number[]; activation_beta: readonly number[];
    clip: number | undefined; direction: 'forward' | 'reverse' | 'bidirectional'; layout: number;
  };
  /** LSTM input_forget, or GRU linear_before_reset. */
  flag: number;
  outputs: readonly TensorType[];
}

/** Whether every activation is the op's default (Sigmoid/Tanh), the only ones the kernels compute. */
function defaultActivations(run: RecurrentFastRun, dirs: number): boolean {
  const { activations, activation_alpha, activation_beta } = run.attrs;
  if (!activations?.length) return true;
  const k = KINDS[run.kind];
  const specs = resolveActivationSpecs(activations, activation_alpha, activation_beta, k.perDirection, dirs, k.defaults);
  const want = (i: number) => k.defaults[i]!.toLowerCase();
  return specs.every((fns) => fns.every((f, i) => f.kind === want(i)));
}

function sequenceLengths(t: Tensor | undefined, batch: number, seq: number): number[] {
  if (!t) return new Array<number>(batch).fill(seq);
  const lens = t.toNumbers();
  lens.forEach((l, b) => {
    if (!Number.isInteger(l) || l < 0 || l > seq) throw new ShapeError(`sequence_lens[${b}] = ${l} is outside 0..${seq} (the sequence length of X)`);
  });
  return lens;
}

/** Writes every direction's R [GH, H] transposed, Rᵀ [H, GH], one after the other from `to`. */
function writeTransposed(wasm: WasmKernels, r: Float32Array, dirs: number, GH: number, H: number, to: number): void {
  const f = wasm.floats();
  for (let d = 0; d < dirs; d++) {
    const o = to / 4 + d * H * GH;
    const from = d * GH * H;
    for (let i = 0; i < GH; i++) for (let k = 0; k < H; k++) f[o + k * GH + i] = r[from + i * H + k]!;
  }
}

/** Rᵀ of every direction: resident when R is constant, else written into this call's arena. */
function transposedR(wasm: WasmKernels, r: Float32Array, dirs: number, GH: number, H: number): number {
  const resident = residentPacked(wasm, r, `rnnRT:${dirs}:${GH}:${H}`, (): { block: ReservedBlock } => {
    const block = wasm.reserve(dirs * H * GH);
    writeTransposed(wasm, r, dirs, GH, H, block.at);
    return { block };
  });
  if (resident) return resident.block.at;
  const at = wasm.alloc(dirs * H * GH);
  writeTransposed(wasm, r, dirs, GH, H, at);
  return at;
}

/** W [dirs·GH, input] as the GEMM's B = Wᵀ: packed and resident when constant, else copied in. */
function projectionB(wasm: WasmKernels, w: Float32Array, input: number, width: number): PackedB | RawB {
  return residentPacked(wasm, w, `gemmB:${input}:${width}:1`, () => packGemmB(wasm, w, input, width, true)) ?? { at: wasm.put(w), trans: true };
}

export function recurrentFast(wasm: WasmKernels, run: RecurrentFastRun): Tensor[] | undefined {
  const { kind, x, w, r, b, h0, c0, p, attrs: a } = run;
  if ([x, w, r, b, h0, c0, p].some((t) => t && t.dtype !== 'float32')) return undefined;
  const dirs = a.direction === 'bidirectional' ? 2 : 1;
  if (!defaultActivations(run, dirs)) return undefined;
  const G = KINDS[kind].gates;
  const H = r.shape[2]!;
  const input = x.shape[2]!;
  const [seq, batch] = a.layout === 0 ? [x.shape[0]!, x.shape[1]!] : [x.shape[1]!, x.shape[0]!];
  const lens = sequenceLengths(run.lens, batch, seq);
  const rows = seq * batch;
  const GH = G * H;
  const width = dirs * GH; // one row of the projection: both directions' gates

  wasm.reset();
  // X·Wᵀ for every (step, batch) row and every direction
  const B_W = projectionB(wasm, w.numeric() as Float32Array, input, width);
  const RT0 = transposedR(wasm, r.numeric() as Float32Array, dirs, GH, H);
  const X = wasm.put(x.numeric() as Float32Array);
  const XW = wasm.alloc(rows * width);
  gemm(wasm, rows, width, input, X, B_W, XW);

  const B = b?.numeric() as Float32Array | undefined;
  const P = p?.numeric() as Float32Array | undefined;
  const RT = Array.from({ length: dirs }, (_, d) => RT0 + d * H * GH * 4);
  const BIAS: number[] = [];
  const PEEP: number[] = [];
  for (let d = 0; d < dirs; d++) {
    if (B) {
      // GRU keeps Wb and Rb apart (its h gate applies r to the recurrent half); the others add them
      const bias = B.subarray(d * 2 * GH, (d + 1) * 2 * GH);
      const at = wasm.alloc(kind === 'gru' ? 2 * GH : GH);
      const f = wasm.floats();
      if (kind === 'gru') f.set(bias, at / 4);
      else for (let j = 0; j < GH; j++) f[at / 4 + j] = bias[j]! + bias[GH + j]!;
      BIAS.push(at);
    }
    if (P) PEEP.push(wasm.put(P.subarray(d * 3 * H, (d + 1) * 3 * H)));
  }
  const LENS = wasm.alloc(batch);
  new Int32Array(wasm.memory.buffer, LENS, batch).set(lens);
  const Y = wasm.alloc(seq * dirs * batch * H);
  const states = kind === 'lstm' ? [h0, c0] : [h0];
  const STATE = states.map((t) => {
    const at = wasm.alloc(dirs * batch * H);
    if (t) wasm.floats().set(t.numeric() as Float32Array, at / 4);
    else wasm.floats().fill(0, at / 4, at / 4 + dirs * batch * H);
    return at;
  });

  // strides in floats (see assembly/rnn.ts): layout 0 is time-major, layout 1 batch-major
  const [tRow, bRow] = a.layout === 0 ? [batch, 1] : [1, seq];
  const [yStep, yBatch, yDir] = a.layout === 0 ? [dirs * batch * H, H, batch * H] : [dirs * H, seq * dirs * H, H];
  const [stateBatch, stateDir] = a.layout === 0 ? [H, batch * H] : [dirs * H, H];
  const clip = a.clip ?? Infinity;

  const call = (d: number, b0: number, count: number, scratch: number): KernelCall => {
    const common = [
      seq, b0, count, LENS, a.direction === 'reverse' || d === 1 ? 1 : 0, H,
      XW + d * GH * 4, tRow * width, bRow * width, RT[d]!, B ? BIAS[d]! : 0,
    ];
    const yArgs = [Y + d * yDir * 4, yStep, yBatch];
    const [hs, cs] = STATE.map((s) => s + d * stateDir * 4);
    if (kind === 'lstm') return ['lstmSequences', [...common, P ? PEEP[d]! : 0, ...yArgs, hs!, cs!, stateBatch, scratch, clip, run.flag]];
    if (kind === 'gru') return ['gruSequences', [...common, ...yArgs, hs!, stateBatch, scratch, clip, run.flag]];
    return ['rnnSequences', [...common, ...yArgs, hs!, stateBatch, scratch, clip]];
  };
  // one unit per (direction, batch entry); a thread takes a run of units, one call per direction in it
  const parts = splitRange(dirs * batch, threadsFor(wasm, dirs * batch * seq * GH * H));
  const stepScratch = scratchPerThread(wasm, 7 * H); // LSTM takes 5·H, GRU 7·H, RNN H
  wasm.run(parts.map(([u0, count], t) => {
    const calls: KernelCall[] = [];
    for (let u = u0; u < u0 + count;) {
      const d = Math.floor(u / batch);
      const b0 = u % batch;
      const n = Math.min(batch - b0, u0 + count - u);
      calls.push(call(d, b0, n, stepScratch[t]!));
      u += n;
    }
    return calls;
  }));

  const results = [wasm.read(Y, seq * dirs * batch * H), ...STATE.map((s) => wasm.read(s, dirs * batch * H))];
  return run.outputs.map((o, i) => new Tensor('float32', o.shape, results[i]!));
}
