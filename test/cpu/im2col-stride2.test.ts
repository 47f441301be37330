// im2col's vectorized stride-2 column gather (src/cpu/assembly/conv.ts colRow), as the first conv
// of MobileNet and ShuffleNet uses it (3 input channels, 3×3, stride 2), against onnxruntime-node:
// even and odd widths, pads on both, one or no side, a 1×3 kernel whose taps reach the last column.
import { test } from 'node:test';
import { expectOneNodeLikeOrt, randomTensor, type AttrSpec } from '../helpers/ort-reference.js';

const CASES: Record<string, [number[], number[], Record<string, AttrSpec>]> = {
  '3×3 stride 2 pad 1, even width': [[1, 3, 20, 32], [8, 3, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] }],
  '3×3 stride 2 pad 1, odd width': [[1, 3, 17, 33], [5, 3, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] }],
  '3×3 stride 2, no pads': [[2, 3, 15, 29], [4, 3, 3, 3], { strides: [2, 2] }],
  '1×3 stride 2, pads (0, 0, 0, 2)': [[1, 2, 5, 26], [3, 2, 1, 3], { strides: [2, 2], pads: [0, 0, 0, 2] }],
};

for (const [name, [xs, ws, attrs]] of Object.entries(CASES)) {
  test(`Conv ${name} (fast kernels, im2col) matches onnxruntime`, async () => {
    const inputs = { x: randomTensor(xs, 51, -2, 2), w: randomTensor(ws, 52) };
    await expectOneNodeLikeOrt({ op: 'Conv', attrs, inputs, inputOrder: ['x', 'w'], outputs: ['y'] }, { atol: 1e-4, rtol: 1e-4 }, 'fast');
  });
}
