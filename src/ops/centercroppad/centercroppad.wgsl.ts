import { coordMapProgram } from '../../devices/webgpu/coord-map.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import type { CenterCropPad } from './centercroppad.op.js';

// Along each axis the output reads input coordinate o + shift, where shift = ⌊(dim − size)/2⌋ for
// a crop and −⌊(size − dim)/2⌋ for a pad (0 on untouched axes); outside the input it writes 0.
export const centerCropPadWgsl: GpuKernel<typeof CenterCropPad.attrs> = ([x], _a, [out]) => {
  if (x!.dtype === 'string') return 'CenterCropPad of strings';
  const shift = x!.shape.map((d, i) => {
    const size = out!.shape[i]!;
    return d >= size ? Math.floor((d - size) / 2) : -Math.floor((size - d) / 2);
  });
  return {
    programs: [coordMapProgram({
      name: 'CenterCropPad', dtype: x!.dtype, inShape: x!.shape, outShape: out!.shape, params: { shift },
      axisCode: 'i = o + p_shift; if (i < 0 || i >= len) { fill = true; }',
    })],
  };
};
