// Turns a matrix-shaped layer (an implicit-GEMM convolution or a Gemm) into tactics: one per
// chosen tile configuration, split-K factor and GEMV block width, each reading the weights padded
// for its tiles (packed when first read, once per padding).
import type { DeviceCaps } from '../../../devices/webgpu/caps.js';
import type { Activation, Storage } from '../../network.js';
import { encodeStorage } from '../access.js';
import { roundUp, tileName, tiledMatmul, type MatmulProblem, type PartBuilder } from '../matmul-tile.js';
import { withLazyConstants, type Tactic } from '../tactic.js';
import { matmulChoices, type ChoiceOptions } from './choices.js';
import { biasData, epiloguePart, type EpiloguePart, type RowView } from './epilogue.js';
import { GEMV_MAX_ROWS, gemvProgram, gemvUnfit } from './gemv.js';
import { packMatrix, weightOperand, type MatrixFill } from './weights.js';

export interface MatmulLayerSpec {
  /** Tactic name prefix ('conv-igemm', 'gemm', ...). */
  prefix: string;
  m: number;
  n: number;
  k: number;
  groups: number;
  a: PartBuilder;
  aQuads: boolean;
  /** Writes B[g][k][n] of the logical weights into a padded matrix. */
  weightFill: MatrixFill;
  storage: Storage;
  bias?: Float32Array;
  out: RowView;
  channelOffset: number;
  /** The columns split over several outputs (see EpilogueSpec.parts). */
  parts?: EpiloguePart[];
  residual?: RowView;
  act: Activation;
}

const GEMV_COLUMNS = [64, 32, 16];

/** The packed weights (and bias) at one padding, made once for every candidate that pads alike. */
function constantsMaker(s: MatmulLayerSpec): (kPad: number, nPad: number) => () => Uint8Array[] {
  const made = new Map<string, Uint8Array[]>();
  return (kPad, nPad) => () => {
    const key = `${kPad}x${nPad}`;
    let list = made.get(key);
    if (!list) {
      list = [encodeStorage(packMatrix(s.groups, kPad, nPad, s.weightFill), s.storage)];
      if (s.bias) list.push(encodeStorage(biasData(s.bias, s.n * s.groups), 'f32'));
      made.set(key, list);
    }
    return list;
  };
}

function problem(s: MatmulLayerSpec, kPad: number, nPad: number): MatmulProblem {
  return {
    m: s.m, n: s.n, k: s.k, groups: s.groups, a: s.a, aQuads: s.aQuads,
    b: weightOperand(0, s.storage, kPad, nPad, s.groups),
    epilogue: epiloguePart({
      out: s.out, channelOffset: s.channelOffset, ...(s.parts ? { parts: s.parts } : {}), groupChannels: s.n, evenPairs: s.groups === 1 || s.n % 2 === 0,
      biasConstant: s.bias ? 1 : undefined, residual: s.residual, act: s.act,
    }),
  };
}

/** Tile-loop, split-K and (for at most four rows) GEMV tactics; half tiles too when the weights are native f16. */
export function matmulTactics(s: MatmulLayerSpec, caps: DeviceCaps, choice: ChoiceOptions = {}): Tactic[] {
  const tactics: Tactic[] = [];
  const constants = constantsMaker(s);
  for (const { tile, splits } of matmulChoices(s.m, s.n, s.k, s.groups, caps, { half: s.storage === 'f16', ...choice })) {
    const kPad = roundUp(s.k, tile.tk);
    const nPad = roundUp(s.n, tile.tn);
    const { programs, scratch } = tiledMatmul(problem(s, kPad, nPad), tile, splits, caps);
    const name = `${s.prefix}-${tileName(tile)}${splits > 1 ? `-sk${splits}` : ''}`;
    tactics.push(withLazyConstants({ name, programs, scratch }, constants(kPad, nPad)));
  }
  if (s.m <= GEMV_MAX_ROWS) {
    for (const cols of GEMV_COLUMNS) {
      if (gemvUnfit(s, cols, caps)) continue;
      const nPad = roundUp(s.n, cols);
      const program = gemvProgram(problem(s, s.k, nPad), cols, caps);
      tactics.push(withLazyConstants({ name: `${s.prefix}-gemv-c${cols}`, programs: [program], scratch: [] }, constants(s.k, nPad)));
    }
  }
  return tactics;
}
