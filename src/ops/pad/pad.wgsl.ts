import { coordMapProgram } from '../../devices/webgpu/coord-map.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { padAmounts, type Pad } from './pad.op.js';

// The input coordinate each output coordinate reads (the CPU kernel's sourceCoord, per axis):
// negative pads crop first (`crop`, `kept` elements remain); reflect, edge and wrap index the
// kept extent; constant writes the fill.
const MODE_CODE = {
  constant: 'if (i < 0 || i >= p_kept) { fill = true; i = 0; }',
  edge: 'i = clamp(i, 0, p_kept - 1);',
  wrap: 'i = ((i % p_kept) + p_kept) % p_kept;',
  reflect: `if (p_kept == 1) { i = 0; } else if (i < 0 || i >= p_kept) {
        let period = 2 * (p_kept - 1);
        i = ((i % period) + period) % period;
        if (i >= p_kept) { i = period - i; }
      }`,
} as const;

export const padWgsl: GpuKernel<typeof Pad.attrs> = (inputs, { mode }, [out]) => {
  const x = inputs[0]!;
  const { begin, end } = padAmounts(x.shape, inputs);
  const crop = begin.map((b) => Math.max(0, -b));
  const kept = x.shape.map((d, k) => d - crop[k]! - Math.max(0, -end[k]!));
  if (mode !== 'constant' && kept.some((k, a) => k === 0 && out!.shape[a]! > 0)) return `${mode} padding of an empty axis`;
  if (out!.shape.some((d) => d === 0)) return 'an empty output';
  return {
    programs: [coordMapProgram({
      name: `Pad-${mode}`, dtype: x.dtype, inShape: x.shape, outShape: out!.shape,
      params: { before: begin.map((b) => Math.max(0, b)), crop, kept },
      axisCode: `i = o - p_before;\n      ${MODE_CODE[mode]}\n      i = i + p_crop;`,
      fillInput: inputs[2] && mode === 'constant' ? 2 : undefined,
    })],
  };
};
