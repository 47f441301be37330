// The direct 3×3 max pool (src/cpu/assembly/pool3x3.ts, the fast kernels' MaxPool) against
// onnxruntime-node: column strides 1 and 2 with other row strides, pads on one side, ceil-mode
// overhang, planes 1 to 4 columns wide (scalar, one vector with both edges masked), the
// overlapping last vector, and a pool of 3 threads with every split forced. NaN: onnxruntime's
// MaxPool skips a NaN unless it comes first, nnrt's kernels propagate it (as numpy's max does), so
// windows holding a NaN (found here by index arithmetic) must be NaN and the others onnxruntime's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installNodeCpuThreads } from '../../src/node/cpu-threads.js';
import { prepareWasmKernels } from '../../src/cpu/wasm-kernels.js';
import { setParallelMacs } from '../../src/cpu/parallel.js';
import { expectOneNodeLikeOrt, oneNodeModel, randomTensor, runNnrt, runOrt, type AttrSpec } from '../helpers/ort-reference.js';

const CASES: Record<string, [number[], Record<string, AttrSpec>]> = {
  'stride 2 pad 1, 112 → 56 (ShuffleNet)': [[1, 2, 112, 112], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }],
  'stride 2, ceil mode, odd size': [[1, 3, 13, 15], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }],
  'stride 2, ceil mode, pads (0, 1, 1, 0)': [[2, 2, 10, 11], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1, pads: [0, 1, 1, 0] }],
  'stride 1, pad 1': [[1, 3, 9, 13], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }],
  'stride 1, no pads, 6 wide (overlapping last vector)': [[1, 2, 5, 8], { kernel_shape: [3, 3] }],
  'row stride 3, column stride 1': [[1, 2, 14, 9], { kernel_shape: [3, 3], strides: [3, 1], pads: [1, 1, 1, 1] }],
  'row stride 1, column stride 2': [[1, 2, 7, 19], { kernel_shape: [3, 3], strides: [1, 2], pads: [0, 1, 2, 1] }],
  'plane 4 wide (both edges in one vector)': [[1, 2, 6, 4], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }],
  'plane 3 wide (scalar)': [[1, 2, 6, 3], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }],
  'plane 1 wide (scalar)': [[1, 2, 5, 1], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }],
};

test('MaxPool 3×3 (fast kernels, 1 and 3 threads) matches onnxruntime', async () => {
  for (const threads of [1, 3]) {
    installNodeCpuThreads(threads);
    await prepareWasmKernels();
    const old = setParallelMacs(1);
    try {
      for (const [name, [shape, attrs]] of Object.entries(CASES)) {
        const x = randomTensor(shape, 41, -3, 3);
        await expectOneNodeLikeOrt({ op: 'MaxPool', attrs, inputs: { x }, inputOrder: ['x'], outputs: ['y'] }, { atol: 0, rtol: 0 }, 'fast');
      }
    } finally {
      setParallelMacs(old);
    }
  }
});

test('MaxPool 3×3 (fast kernels) gives NaN exactly for windows holding a NaN, onnxruntime elsewhere', async () => {
  const [H, W] = [9, 13];
  const x = randomTensor([1, 1, H, W], 42);
  const nans = [0, 5, 2 * W + 6, 3 * W + 12, 8 * W + 3, 8 * W + 12];
  for (const at of nans) x.data[at] = Number.NaN;
  for (const s of [1, 2]) {
    const attrs = { kernel_shape: [3, 3], strides: [s, s], pads: [1, 1, 1, 1] };
    const model = oneNodeModel({ op: 'MaxPool', attrs, inputs: { x }, inputOrder: ['x'], outputs: ['y'] });
    const want = (await runOrt(model, { x })).y!;
    const got = (await runNnrt(model, { x }, 'fast')).y!;
    const [oh, ow] = want.shape.slice(2) as [number, number];
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const holdsNaN = nans.some((at) => Math.abs(Math.floor(at / W) - (oy * s - 1 + 1)) <= 1 && Math.abs((at % W) - (ox * s - 1 + 1)) <= 1);
        const g = (got.data as Float32Array)[oy * ow + ox]!;
        if (holdsNaN) assert.ok(Number.isNaN(g), `stride ${s} (${oy}, ${ox}): NaN in the window, got ${g}`);
        else assert.equal(g, (want.data as Float32Array)[oy * ow + ox], `stride ${s} (${oy}, ${ox})`);
      }
    }
  }
});
