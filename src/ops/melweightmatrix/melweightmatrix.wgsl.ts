import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { wgslType } from '../../devices/webgpu/dtype.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { scalarOf, type MelWeightMatrix } from './melweightmatrix.op.js';

// The filter bank with sample_rate and the edge frequencies read on the device (they may be
// computed), one invocation per matrix element: the element's filter i and spectrogram bin j give
// its value from the three mel points i, i + 1, i + 2, exactly as the CPU kernel's loops leave it.
// The mel points are in f32 (the CPU's in float64): a point whose bin lands within f32 rounding of
// a bin edge can move one bin.
export const melWeightMatrixWgsl: GpuKernel<typeof MelWeightMatrix.attrs> = ([bins, dft, rate], _attrs, [out]) => {
  if (out!.dtype !== 'float32' && out!.dtype !== 'float16') return `output_datatype ${out!.dtype} is not a float type the device kernel writes`;
  const melBins = scalarOf(bins!.value!, 'num_mel_bins');
  const length = scalarOf(dft!.value!, 'dft_length');
  const rows = out!.shape[0]!;
  const u = new Uniforms().add('dims', 'u32', [rows * melBins, melBins, length + 1]);
  const [COUNT, MEL, LEN1] = [0, 1, 2].map((i) => u.at('dims', i));
  const body = `if (gi >= ${COUNT}) { return; }
    let i = i32(gi % ${MEL});
    let j = i32(gi / ${MEL});
    let lowMel = to_mel(LO[0]);
    let step = (to_mel(HI[0]) - lowMel) / f32(${MEL} + 2u);
    let sr = f32(RATE[0]);
    let left = point(i, lowMel, step, sr);
    let center = point(i + 1, lowMel, step, sr);
    let right = point(i + 2, lowMel, step, sr);
    var v = 0.0;
    if (center == left) {
      if (j == center) { v = 1.0; }
    } else if (j >= left && j <= center) {
      v = f32(j - left) / f32(center - left);
    }
    if (right > center && j >= center && j < right) { v = f32(right - j) / f32(right - center); }
    Y[gi] = ${narrow('v', out!.dtype)};`;
  const helpers = `
fn to_mel(hz: f32) -> f32 { return 2595.0 * log(1.0 + hz / 700.0) / log(10.0); }
fn point(i: i32, lowMel: f32, step: f32, sr: f32) -> i32 {
  let hz = 700.0 * (pow(10.0, (f32(i) * step + lowMel) / 2595.0) - 1.0);
  return i32(floor(f32(${LEN1}) * hz / sr));
}
`;
  const decls = storage(0, 'RATE', wgslType(rate!.dtype), 'read') + storage(1, 'LO', 'f32', 'read') + storage(2, 'HI', 'f32', 'read')
    + storage(3, 'Y', 'f32', 'read_write');
  return {
    programs: [{
      key: `melweightmatrix:${wgslType(rate!.dtype)}:${out!.dtype}`,
      source: () => `${decls}${u.declare(4)}${helpers}${linearMain(body)}`,
      bindings: [{ input: 2 }, { input: 3 }, { input: 4 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(rows * melBins),
    }],
  };
};
