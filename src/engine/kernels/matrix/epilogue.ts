// The epilogue shared by the convolution and matrix-product tactics: v = acc + bias[co]
// (+ residual at the same logical position) → activation → store, two output channels at a time.
// Outputs are addressed as rows (pixels: batch·OH·OW, or GEMM rows) by channels, in whatever
// physical format the output, the residual and an in-place concat target have.
import type { Activation, NetTensor } from '../../network.js';
import { ACTIVATION_HELPERS, applyActivation, declareConstant, declareTensor, imageDims, loaders, storers } from '../access.js';
import type { EngineBinding } from '../tactic.js';
import type { PartBuilder } from '../matmul-tile.js';

/** A tensor seen as rows × channels: rank 2 is [rows, channels]; images are [N·H·W, C]. */
export interface RowView {
  tensor: NetTensor;
  /** Channel count of a row (the physical row stride in channels-last layouts). */
  channels: number;
  /** Rows per image (H·W); 1 for rank-2 tensors. */
  pixels: number;
}

export function rowView(t: NetTensor): RowView {
  if (t.shape.length === 2) return { tensor: t, channels: t.shape[1]!, pixels: 1 };
  const [, c, h, w] = imageDims(t);
  return { tensor: t, channels: c, pixels: h * w };
}

/** Channels c and c+1 of a row are adjacent in memory (channels-last, or one pixel per image). */
export const pairsContiguous = (v: RowView): boolean => v.tensor.format.layout === 'nhwc' || v.pixels === 1;

/** WGSL expression of the physical index of (row m, channel c). */
export function rowIndex(v: RowView, m: string, c: string): string {
  if (pairsContiguous(v)) return `(${m}) * ${v.channels}u + (${c})`;
  return `((${m}) / ${v.pixels}u * ${v.channels}u + (${c})) * ${v.pixels}u + (${m}) % ${v.pixels}u`;
}

/** One output of a product whose columns are split over several tensors: columns [start, start + width). */
export interface EpiloguePart {
  out: RowView;
  start: number;
  width: number;
}

export interface EpilogueSpec {
  /** The tensor written: the layer's output, or the concat target it is placed in. */
  out: RowView;
  /** First channel of this layer's output within `out`. */
  channelOffset: number;
  /**
   * The product's columns split over several tensors (merged sibling GEMMs: every part an even
   * width, so no stored pair straddles two); `out` and `channelOffset` are then unused.
   */
  parts?: EpiloguePart[];
  /** Output channels per group: the channel of (grp, n) is grp·groupChannels + n. */
  groupChannels: number;
  /** True when every stored pair starts at an even channel (no odd per-group channel count). */
  evenPairs: boolean;
  /** Constant index of the f32 bias (padded so reading channel c+1 of the last pair is safe). */
  biasConstant?: number;
  residual?: RowView;
  act: Activation;
}

/**
 * Why this epilogue cannot store pairs into `out`, or undefined. Packed-f16 outputs need each
 * pair inside one u32: channels-last (or one pixel per image) and even channel offsets.
 */
export function epilogueUnfit(s: Pick<EpilogueSpec, 'out' | 'channelOffset' | 'evenPairs' | 'groupChannels'>): string | undefined {
  if (s.out.tensor.format.storage !== 'f16x2') return undefined;
  if (!pairsContiguous(s.out)) return `packed-f16 output ${s.out.tensor.name} has no adjacent channel pairs (layout ${s.out.tensor.format.layout})`;
  if (s.channelOffset % 2 !== 0 || s.out.channels % 2 !== 0) return `packed-f16 output ${s.out.tensor.name}: odd channel offset or count`;
  if (!s.evenPairs || s.groupChannels % 2 !== 0) return `packed-f16 output ${s.out.tensor.name}: an odd channel count per group leaves half pairs`;
  return undefined;
}

/** The stores of one target tensor `y` (its storers' suffix) at channel expression `oc`. */
function stores(out: RowView, y: string, oc: string): { pair: string; one: string } {
  const pair = pairsContiguous(out)
    ? `store2_${y}(${rowIndex(out, 'm', oc)}, v);`
    : `store_${y}(${rowIndex(out, 'm', oc)}, v.x); store_${y}(${rowIndex(out, 'm', `${oc} + 1u`)}, v.y);`;
  return { pair, one: `store_${y}(${rowIndex(out, 'm', oc)}, r1);` };
}

/** Declares store2/store1 (see MatmulProblem.epilogue); reads the private `grp`. */
export function epiloguePart(s: EpilogueSpec): PartBuilder {
  return (first) => {
    const bindings: EngineBinding[] = [];
    let decls = '';
    if (s.biasConstant !== undefined) {
      decls += declareConstant(first + bindings.length, 'bias', 'f32');
      bindings.push({ constant: s.biasConstant });
    }
    const res = s.residual;
    if (res) {
      decls += declareTensor(first + bindings.length, 'res', res.tensor.format.storage) + loaders('res', res.tensor.format.storage);
      bindings.push({ tensor: res.tensor.name });
    }
    // the tensors written: one (`y`), or one per part (`y0`, `y1`, ...) chosen by column
    const targets = s.parts
      ? s.parts.map((p, i) => ({ out: p.out, name: `y${i}`, oc: p.start ? `c - ${p.start}u` : 'c', end: p.start + p.width }))
      : [{ out: s.out, name: 'y', oc: s.channelOffset ? `c + ${s.channelOffset}u` : 'c', end: Infinity }];
    for (const t of targets) {
      decls += declareTensor(first + bindings.length, t.name, t.out.tensor.format.storage) + storers(t.name, t.out.tensor.format.storage);
      bindings.push({ tensor: t.out.tensor.name });
    }
    const chosen = (kind: 'pair' | 'one') => targets.length === 1
      ? stores(targets[0]!.out, targets[0]!.name, targets[0]!.oc)[kind]
      : targets.map((t, i) => {
        const body = stores(t.out, t.name, t.oc)[kind];
        return i === targets.length - 1 ? `{ ${body} }` : `if (c < ${t.end}u) { ${body} } else `;
      }).join('');

    const biasPair = s.biasConstant !== undefined ? ' + vec2<f32>(bias[c], bias[c + 1u])' : '';
    const biasOne = s.biasConstant !== undefined ? ' + bias[c]' : '';
    let resPair = '';
    let resOne = '';
    if (res) {
      const pairLoad = pairsContiguous(res) && (res.tensor.format.storage !== 'f16x2' || (res.channels % 2 === 0 && s.evenPairs));
      resPair = pairLoad
        ? ` + load2_res(${rowIndex(res, 'm', 'c')})`
        : ` + vec2<f32>(load_res(${rowIndex(res, 'm', 'c')}), load_res(${rowIndex(res, 'm', 'c + 1u')}))`;
      resOne = ` + load_res(${rowIndex(res, 'm', 'c')})`;
    }
    const single = targets.every((t) => t.out.tensor.format.storage !== 'f16x2')
      ? `fn store1(m: u32, n: u32, acc: f32) {
  let c = grp * ${s.groupChannels}u + n;
  let x = acc${biasOne}${resOne};
  let r1 = ${applyActivation(s.act, 'x')};
  ${chosen('one')}
}`
      : '';
    const wgsl = `${decls}${ACTIVATION_HELPERS}
fn store2(m: u32, n: u32, acc: vec2<f32>) {
  let c = grp * ${s.groupChannels}u + n;
  let x = acc${biasPair}${resPair};
  let v = ${applyActivation(s.act, 'x', true)};
  ${chosen('pair')}
}
${single}
`;
    return { wgsl, bindings };
  };
}

/** The bias padded by one zero, so the pair read of an odd last channel stays in bounds. */
export function biasData(bias: Float32Array | undefined, channels: number): Float32Array {
  const out = new Float32Array(Math.max(4, channels + 1));
  if (bias) out.set(bias.subarray(0, channels));
  return out;
}
