// The space-to-depth quantize (layers/space-to-depth.ts): one invocation per output word, the
// four channels of one image pixel of a block cell (zero-padded channels get the zero point), so
// a channels-last output pixel of block² · 4 channels is block² consecutive words. The float input
// is read in any layout and storage; the output is bytes, channels-last.
import type { SpaceToDepthLayer } from '../layers/space-to-depth.js';
import { declareTensor, f32Literal, imageDims, imageIndex, loaders } from './access.js';
import { groupGrid, KernelReason, tacticsOrReason } from './convert.js';
import type { LayerCompiler, Tactic } from './tactic.js';

export const compileSpaceToDepth: LayerCompiler<SpaceToDepthLayer> = (l, ctx) => tacticsOrReason((): Tactic[] => {
  const x = ctx.tensors.get(l.input)!;
  const y = ctx.tensors.get(l.output)!;
  const [N, C, H, W] = imageDims(x);
  const [, OC, OH, OW] = imageDims(y);
  const b = l.block;
  const signed = y.format.storage === 'i8x4';
  if (!signed && y.format.storage !== 'u8x4') throw new KernelReason(`space-to-depth ${l.name}: output storage ${y.format.storage} (bytes only: i8x4 or u8x4)`);
  if (signed !== l.quantize.signed) throw new KernelReason(`space-to-depth ${l.name}: ${l.quantize.signed ? 'int8' : 'uint8'} integers into ${y.format.storage}`);
  if (y.format.layout !== 'nhwc') throw new KernelReason(`space-to-depth ${l.name}: a ${y.format.layout} output (channels-last only)`);
  if (l.channels !== 4 || C > 4) throw new KernelReason(`space-to-depth ${l.name}: cells of ${l.channels} channels from ${C} (four, from at most four)`);
  if (H % b !== 0 || W % b !== 0 || OH * b !== H || OW * b !== W || OC !== b * b * l.channels) {
    throw new KernelReason(`space-to-depth ${l.name}: [${x.shape}] in blocks of ${b} is not [${y.shape}]`);
  }
  const [lo, hi] = signed ? [-128, 127] : [0, 255];
  const q = (c: number) => c < C
    ? `u32(i32(clamp(round(load_in0(${imageIndex(x, 'n', `${c}u`, 'iy', 'ix')}) / ${f32Literal(l.quantize.scale)}) + ${f32Literal(l.quantize.zeroPoint)}, ${f32Literal(lo)}, ${f32Literal(hi)})))`
    : `${(l.quantize.zeroPoint & 0xff) >>> 0}u`;
  const words = N * OH * OW * b * b;
  const wg = 64;
  const grid = groupGrid(Math.ceil(words / wg), ctx.caps);
  const wgsl = `@group(0) @binding(0) var<storage, read_write> yq: array<u32>;
${declareTensor(1, 'in0', x.format.storage)}${loaders('in0', x.format.storage)}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let w = ${grid.group} * ${wg}u + lid;
  if (w >= ${words}u) { return; }
  let cell = w % ${b * b}u;
  let px = w / ${b * b}u;
  let iy = (px / ${OW}u) % ${OH}u * ${b}u + cell / ${b}u;
  let ix = px % ${OW}u * ${b}u + cell % ${b}u;
  let n = px / ${OW * OH}u;
  yq[w] = ${[0, 1, 2, 3].map((c) => `((${q(c)} & 0xffu) << ${8 * c}u)`).join(' | ')};
}
`;
  return [{
    name: `space-to-depth-bytes-wg${wg}`,
    programs: [{ wgsl, bindings: [{ tensor: y.name }, { tensor: x.name }], workgroups: grid.workgroups }],
    constants: [], scratch: [],
  }];
});
