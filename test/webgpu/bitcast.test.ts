// BitCast on WebGPU against onnxruntime, with no CPU fallback: every pair of same-width types the
// device holds in 32 bits (float32/int32, float16/int16/uint16, int8/uint8), special values included.
// onnxruntime has no bool BitCast: test_bitcast_bool_to_uint8 of the WebGPU conformance covers bool.
import { test } from 'node:test';
import { Tensor } from '../../src/tensor/tensor.js';
import { ELEMENT_TYPE as T } from '../../src/tensor/element-type.js';
import { expectWebgpuLikeOrt } from '../helpers/webgpu-one-node.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;

test('BitCast on WebGPU between 4-, 2- and 1-byte types', { skip }, async () => {
  const f32 = Tensor.fromNumeric('float32', [2, 4], [0, -0, 1.5, -3.25, 1e-30, 65504, Infinity, -Infinity]);
  const i32 = Tensor.fromNumeric('int32', [7], [0, 1, -1, 2147483647, -2147483648, 1065353216, -1082130432]);
  const f16 = Tensor.fromNumeric('float16', [6], [0, -2, 0.5, 1000, -0.0001, 65504]);
  const i8 = Tensor.fromNumeric('int8', [5], [0, 1, -1, 127, -128]);
  const u8 = Tensor.fromNumeric('uint8', [5], [0, 1, 128, 255, 7]);
  const cases: [Tensor, number][] = [[f32, T.INT32], [i32, T.FLOAT], [f16, T.INT16], [f16, T.UINT16], [i8, T.UINT8], [u8, T.INT8]];
  for (const [x, to] of cases) {
    await expectWebgpuLikeOrt({ op: 'BitCast', opset: 26, attrs: { to }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] }, { atol: 0, rtol: 0 }, `${x.dtype} → ${to}`);
  }
});
