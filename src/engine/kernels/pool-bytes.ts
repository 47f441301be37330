// A max pool writing quantized integers as bytes (int8-max-pool, int8-storage): one invocation per
// output word, four channels of a channels-last pixel, walking the window once for all four. A
// channels-last byte input gives the four channels as one word per window cell; any other input
// (a float tensor holding the integers) is read element by element. Cells outside the input are
// skipped, so an all-padding window (never in a valid pool) would give the type's lowest value,
// the quantize of the float pool's −∞.
import { isByteStorage } from '../../devices/webgpu/storage.js';
import type { NetTensor, PoolLayer } from '../network.js';
import { declareTensor, imageDims, loaders } from './access.js';
import { KernelReason, groupGrid, layoutStrides } from './convert.js';
import type { KernelContext, Tactic } from './tactic.js';
import { windowWalk } from './pool-window.js';

/** WGSL: the four bytes of word `w` as a vec4<i32> (sign-extended for int8). */
const unpackWord = (w: string, signed: boolean): string => (signed
  ? `vec4<i32>(${[24, 16, 8, 0].map((s) => `bitcast<i32>(${w}${s ? ` << ${s}u` : ''}) >> 24u`).join(', ')})`
  : `vec4<i32>(${[0, 8, 16, 24].map((s) => `i32((${w} >> ${s}u) & 0xffu)`).join(', ')})`);

/** The byte-output tactic of max pool `layer` from `input` into the byte tensor `out`. */
export function bytePoolTactic(layer: PoolLayer, input: NetTensor, out: NetTensor, ctx: KernelContext): Tactic {
  const signed = out.format.storage === 'i8x4';
  const [N, C, H, W] = imageDims(input);
  const [, , OH, OW] = imageDims(out);
  if (layer.op !== 'max' || !layer.quantized || layer.quantized.signed !== signed) throw new KernelReason(`pool ${layer.name}: bytes out of a max pool on ${signed ? 'int8' : 'uint8'} integers only`);
  if (out.format.layout !== 'nhwc' || C % 4 !== 0) throw new KernelReason(`pool ${layer.name}: a byte output is four channels of a pixel a word (channels-last, channels a multiple of 4; here ${out.format.layout}, ${C})`);
  const s = layoutStrides(input);
  const [sn, sc, sh, sw] = s.length === 4 ? s : [s[0]!, s[1]!, 0, s[2]!];
  const cell = `n * ${sn}u + u32(ih) * ${sh}u + u32(iw) * ${sw}u`;
  // a channels-last byte input of the same signedness: the four channels are one word
  const wordIn = isByteStorage(input.format.storage) && (input.format.storage === 'i8x4') === signed && sc === 1;
  const load = wordIn
    ? unpackWord(`in0[(${cell}) / 4u + cw]`, signed)
    : `vec4<i32>(${[0, 1, 2, 3].map((j) => `i32(load_in0(${cell} + (cw * 4u + ${j}u) * ${sc}u))`).join(', ')})`;
  const words = (N * OH * OW * C) / 4;
  const wg = 64;
  const grid = groupGrid(Math.ceil(words / wg), ctx.caps);
  const wgsl = `@group(0) @binding(0) var<storage, read_write> yq: array<u32>;
${declareTensor(1, 'in0', input.format.storage)}${wordIn ? '' : loaders('in0', input.format.storage)}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let w = ${grid.group} * ${wg}u + lid;
  if (w >= ${words}u) { return; }
  let cw = w % ${C / 4}u;
  let px = w / ${C / 4}u;
  let ow = px % ${OW}u;
  let oh = (px / ${OW}u) % ${OH}u;
  let n = px / ${OW * OH}u;
  var acc = vec4<i32>(${signed ? -128 : 0});
${windowWalk(layer, H, W, `acc = max(acc, ${load});`)}
  yq[w] = ${[0, 1, 2, 3].map((j) => `((u32(acc.${'xyzw'[j]}) & 0xffu) << ${8 * j}u)`).join(' | ')};
}
`;
  return {
    name: `pool-bytes-${wordIn ? 'words' : 'elements'}-wg${wg}`,
    programs: [{ wgsl, bindings: [{ tensor: out.name }, { tensor: input.name }], workgroups: grid.workgroups }],
    constants: [], scratch: [],
  };
}
