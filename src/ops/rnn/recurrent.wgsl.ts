// The WebGPU time loop RNN, GRU and LSTM share, as recurrent.ts is on the CPU: one program per time
// step (all directions and sequences of the batch at once, one invocation per hidden unit), all in
// the node's command encoder, so no step goes back to the host. The states ping-pong between the
// two halves of a scratch buffer (a step reads every unit of H_{t-1} while writing H_t). An op
// supplies its cell as WGSL statements; an optional pre-step program (GRU's reset gate) runs first.
//
// Programs: init (Y ← 0, states ← initial_h / initial_c or 0), per step [pre-step], step, then final
// (Y_h / Y_c ← the last state, 0 for a sequence of length 0, as the CPU kernel and onnxruntime).
import { narrow } from '../../devices/webgpu/elementwise.js';
import type { BufferRef, GpuLaunch, Program } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import type { DType } from '../../tensor/dtype.js';
import type { InferInput, TensorType } from '../op.js';
import { f32Literal as lit, TANH } from '../../wgsl/math.js';
import { resolveActivationSpecs, type ActivationSpec } from '../_kernels/rnn-activation.js';

/** The hidden size in a cell's WGSL (the uniform every recurrent program declares). */
export const HIDDEN = 'u.dims[0].w';

/** The WGSL of one named activation over `x` (the kinds resolveActivationSpecs accepts). */
function activationWgsl({ kind, alpha: a, beta: b }: ActivationSpec): string {
  const [A, B] = [lit(a), lit(b)];
  switch (kind) {
    case 'sigmoid': return '1.0 / (1.0 + exp(-x))';
    case 'tanh': return 'tanh_(x)';
    case 'relu': return 'max(x, 0.0)';
    case 'affine': return `${A} * x + ${B}`;
    case 'leakyrelu': return `select(${A} * x, x, x >= 0.0)`;
    case 'thresholdedrelu': return `select(0.0, x, x > ${A})`;
    case 'scaledtanh': return `${A} * tanh_(${B} * x)`;
    case 'hardsigmoid': return `clamp(${A} * x + ${B}, 0.0, 1.0)`;
    case 'elu': return `select(${A} * (exp(x) - 1.0), x, x >= 0.0)`;
    case 'softsign': return 'x / (1.0 + abs(x))';
    case 'softplus': return 'select(log(1.0 + exp(x)), x, x > 20.0)';
    default: throw new Error(`no WGSL for activation ${kind}`);
  }
}

export interface RecurrentAttrs {
  activations: string[] | undefined;
  activation_alpha: number[];
  activation_beta: number[];
  clip: number | undefined;
  direction: 'forward' | 'reverse' | 'bidirectional';
  layout: number;
}

export interface CellSpec {
  op: string;
  gates: number;
  /** 2 for LSTM (h and c). */
  states: 1 | 2;
  /** Activation names per direction and their defaults (f, g, h order). */
  activations: number;
  defaults: readonly string[];
  /**
   * WGSL statements of one step computing `h` (and writing `Cs[NXT + SI]` for LSTM). In scope:
   * xw(g), rh(g) (the gate's X·Wᵀ and H_{t-1}·Rᵀ terms), wb(g), rb(g), act0_(x).., clip_(x),
   * HP (H_{t-1} base), CUR, NXT, SI (this unit in the state buffers), J, Hs, Cs, and `extra`'s bindings.
   */
  body: string;
  /** WGSL statements of a pre-step program over the same units (GRU's reset gate into Gs). */
  preStep?: string;
  /** More WGSL functions and the key words they depend on. */
  helpers?: string;
  key: string;
  /** Optional inputs beyond X, W, R, B, sequence_lens, initial_h (LSTM: initial_c 6, P 7) by WGSL name. */
  extra?: { name: string; input: number }[];
}

/** The launch of `cell` over the node, or why it stays on the CPU. */
export function recurrentLaunch(
  cell: CellSpec, ins: readonly (InferInput | undefined)[], a: RecurrentAttrs, outs: readonly TensorType[],
): GpuLaunch | string {
  const [x, , r, b, lens, h0] = ins;
  const H = r!.shape[2]!;
  const dirs = a.direction === 'bidirectional' ? 2 : 1;
  const [seq, batch] = a.layout === 0 ? [x!.shape[0]!, x!.shape[1]!] : [x!.shape[1]!, x!.shape[0]!];
  const input = x!.shape[2]!;
  if (seq * batch * input * H === 0) return 'an empty dimension';
  let acts: ActivationSpec[][];
  try {
    acts = resolveActivationSpecs(a.activations, a.activation_alpha, a.activation_beta, cell.activations, dirs, cell.defaults);
  } catch (e) {
    return (e as Error).message;
  }
  const N = dirs * batch * H;
  const u = new Uniforms().add('dims', 'u32', [seq, batch, input, H]).add('step', 'u32', 0);
  const [SEQ, BATCH, IN, HID] = [0, 1, 2, 3].map((i) => u.at('dims', i));
  const reverse = a.direction === 'reverse' ? 'true' : a.direction === 'bidirectional' ? 'D == 1u' : 'false';
  const actFns = Array.from({ length: cell.activations }, (_, k) => {
    const per = acts.map((list) => activationWgsl(list[k]!));
    const body = per.length === 2 && per[0] !== per[1] ? `if (D == 0u) { return ${per[0]}; } return ${per[1]};` : `return ${per[0]};`;
    return `fn act${k}_(x: f32) -> f32 { ${body} }`;
  }).join('\n');
  const clip = a.clip === undefined ? 'x' : `clamp(x, ${lit(-a.clip)}, ${lit(a.clip)})`;
  const G = cell.gates;
  const outDtype: DType = outs[0]?.dtype ?? x!.dtype;
  const key = `${cell.op}:${cell.key}:${a.direction}:${a.layout}:${acts.flat().map((s) => `${s.kind}/${s.alpha}/${s.beta}`).join(',')}:${a.clip}:${b ? 'B' : ''}${lens ? 'L' : ''}${h0 ? 'H' : ''}:${outs.length}:${outDtype}:n${N}:${seq % 2}`; // N and the final half are written into the WGSL

  // the gate terms, for the programs that bind X, W, R (and B)
  const compute = `var<private> XROW: u32;
var<private> HP: u32;
${actFns}
fn clip_(x: f32) -> f32 { return ${clip}; }
fn xw(g: u32) -> f32 {
  var s = 0.0;
  let w0 = ((D * ${G}u + g) * ${HID} + J) * ${IN};
  for (var k = 0u; k < ${IN}; k = k + 1u) { s = s + X[XROW * ${IN} + k] * W[w0 + k]; }
  return s;
}
fn rh(g: u32) -> f32 {
  var s = 0.0;
  let r0 = ((D * ${G}u + g) * ${HID} + J) * ${HID};
  for (var k = 0u; k < ${HID}; k = k + 1u) { s = s + Hs[HP + k] * R[r0 + k]; }
  return s;
}
fn wb(g: u32) -> f32 { return ${b ? `Bb[D * ${2 * G}u * ${HID} + g * ${HID} + J]` : '0.0'}; }
fn rb(g: u32) -> f32 { return ${b ? `Bb[D * ${2 * G}u * ${HID} + (${G}u + g) * ${HID} + J]` : '0.0'}; }`;

  /** A program's declarations and bindings: names bound in order, the uniform block last. */
  const program = (phase: 'init' | 'pre' | 'step' | 'final', names: string[], main: string, threads: number, step = 0): Program => {
    const refs: Record<string, BufferRef> = {
      X: { input: 0 }, W: { input: 1 }, R: { input: 2 }, Bb: { input: 3 }, L: { input: 4 }, H0: { input: 5 },
      Y: { output: 0 }, YH: { output: 1 }, YC: { output: 2 }, Hs: { scratch: 0 }, Cs: { scratch: 1 }, Gs: { scratch: 2 },
      ...Object.fromEntries((cell.extra ?? []).map((e) => [e.name, { input: e.input }])),
    };
    const writable = new Set(['Y', 'YH', 'YC', 'Hs', 'Cs', 'Gs']);
    const decls = names.map((n, i) => storage(i, n, n === 'L' ? 'i32' : 'f32', writable.has(n) ? 'read_write' : 'read')).join('');
    const pu = new Uniforms().add('dims', 'u32', [seq, batch, input, H]).add('step', 'u32', step);
    return {
      key: `rnn-${phase}:${key}:${names.join(',')}`,
      source: () => `${decls}${pu.declare(names.length)}${phase === 'pre' || phase === 'step' ? TANH : ''}
var<private> D: u32;
var<private> J: u32;
${phase === 'pre' || phase === 'step' ? compute : ''}
${phase !== 'init' ? `fn seqLen(bi: u32) -> u32 { return ${lens ? 'u32(L[bi])' : SEQ}; }` : ''}
fn stateAt(d: u32, bi: u32) -> u32 { return ${a.layout === 0 ? `(d * ${BATCH} + bi)` : `(bi * ${dirs}u + d)`} * ${HID}; }
fn yAt(t: u32, d: u32, bi: u32) -> u32 { return ${a.layout === 0 ? `((t * ${dirs}u + d) * ${BATCH} + bi)` : `((bi * ${SEQ} + t) * ${dirs}u + d)`} * ${HID}; }
${phase === 'pre' || phase === 'step' ? cell.helpers ?? '' : ''}
${linearMain(main)}`,
      bindings: names.map((n) => refs[n]!), uniforms: pu, workgroups: linearDispatch(threads),
    };
  };
  // the unit gi: direction D, sequence BI, hidden unit J; SI its index in a state half
  const unit = `if (gi >= ${N}u) { return; }
    J = gi % ${HID};
    let BI = (gi / ${HID}) % ${BATCH};
    D = gi / (${HID} * ${BATCH});
    let SI = gi;
    let CUR = (${u.at('step')} % 2u) * ${N}u;
    let NXT = ${N}u - CUR;
    let len = seqLen(BI);
    let s = ${u.at('step')};
    let t = select(s, len - 1u - s, ${reverse});
    XROW = ${a.layout === 0 ? `t * ${BATCH} + BI` : `BI * ${SEQ} + t`};
    HP = CUR + (D * ${BATCH} + BI) * ${HID};`;
  const hasY = outs.length > 0;
  const base = ['X', 'W', 'R', ...(b ? ['Bb'] : []), ...(lens ? ['L'] : [])];
  const extraNames = (cell.extra ?? []).map((e) => e.name).filter((n) => cell.body.includes(n) || cell.preStep?.includes(n));
  const stateNames = cell.states === 2 ? ['Hs', 'Cs'] : ['Hs'];

  const initStates = stateNames.map((S, k) => {
    const src = k === 0 ? (h0 ? 'H0' : undefined) : (cell.extra?.find((e) => e.name === 'C0') && ins[6] ? 'C0' : undefined);
    return `${S}[gi] = ${src ? `${src}[stateAt(gi / (${HID} * ${BATCH}), (gi / ${HID}) % ${BATCH}) + gi % ${HID}]` : '0.0'};`;
  }).join(' ');
  const initNames = [...(hasY ? ['Y'] : []), ...stateNames, ...(h0 ? ['H0'] : []), ...(cell.states === 2 && ins[6] ? ['C0'] : [])];
  const ySize = hasY ? seq * N : 0;
  const programs: Program[] = [program('init', initNames, `${hasY ? `if (gi < ${ySize}u) { Y[gi] = 0.0; }` : ''}
    if (gi < ${dirs}u * ${BATCH} * ${HID}) { ${initStates} }`, Math.max(ySize, N))];

  const copy = stateNames.map((S) => `${S}[NXT + SI] = ${S}[CUR + SI];`).join(' ');
  const stepNames = [...base, ...(hasY ? ['Y'] : []), ...stateNames, ...(cell.preStep ? ['Gs'] : []), ...extraNames.filter((n) => n !== 'C0')];
  const preNames = [...base, 'Hs', 'Gs'];
  for (let s = 0; s < seq; s++) {
    if (cell.preStep) programs.push(program('pre', preNames, `${unit}\n    if (s >= len) { return; }\n    ${cell.preStep}`, N, s));
    programs.push(program('step', stepNames, `${unit}
    if (s >= len) { ${copy} return; }
    ${cell.body}
    Hs[NXT + SI] = h;${hasY ? `\n    Y[yAt(t, D, BI) + J] = ${narrow('h', outDtype)};` : ''}`, N, s));
  }
  const finalOuts = ['YH', 'YC'].slice(0, Math.min(cell.states, outs.length - 1));
  if (finalOuts.length) {
    const fin = (seq % 2) * N;
    const writes = finalOuts.map((o, k) => `${o}[stateAt(D, BI) + J] = ${narrow(`select(0.0, ${stateNames[k]}[${fin}u + gi], seqLen(BI) > 0u)`, outDtype)};`).join('\n    ');
    const finNames = [...(lens ? ['L'] : []), ...finalOuts, ...stateNames.slice(0, finalOuts.length)];
    programs.push(program('final', finNames, `if (gi >= ${N}u) { return; }
    J = gi % ${HID};
    let BI = (gi / ${HID}) % ${BATCH};
    D = gi / (${HID} * ${BATCH});
    ${writes}`, N));
  }
  const scratch = [2 * N, cell.states === 2 ? 2 * N : 1, cell.preStep ? N : 1];
  return { programs, scratch };
}
