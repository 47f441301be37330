import { wgslType } from '../../devices/webgpu/dtype.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { DTYPE_ELEMENT_TYPE, ELEMENT_TYPE as T, elementTypeName } from '../../tensor/element-type.js';
import type { BitCast } from './bitcast.op.js';

// BitCast on WebGPU: each element's bits (the low 8, 16 or 32 of a u32), taken from the value as the
// device holds it (see devices/webgpu/dtype.ts: float16 and bfloat16 as f32, small integers widened
// to 32 bits), then read as the target type. 64-bit types and uint32 (held as int64, narrowed to i32
// on the device) stay on the CPU.

/** WGSL expression of value `x`'s bits, by its ONNX element type. */
const TO_BITS = new Map<number, string>([
  [T.FLOAT, 'bitcast<u32>(x)'],
  [T.INT32, 'bitcast<u32>(x)'],
  [T.FLOAT16, '(pack2x16float(vec2<f32>(x, 0.0)) & 0xffffu)'],
  [T.BFLOAT16, '(bitcast<u32>(x) >> 16u)'],
  [T.INT16, '(bitcast<u32>(x) & 0xffffu)'],
  [T.UINT16, '(bitcast<u32>(x) & 0xffffu)'],
  [T.INT8, '(bitcast<u32>(x) & 0xffu)'],
  [T.UINT8, '(x & 0xffu)'],
  [T.BOOL, 'select(0u, 1u, x != 0u)'],
]);

/** WGSL expression of bits `b` read as an ONNX element type, in its device type. */
const FROM_BITS = new Map<number, string>([
  [T.FLOAT, 'bitcast<f32>(b)'],
  [T.INT32, 'bitcast<i32>(b)'],
  [T.FLOAT16, 'unpack2x16float(b).x'],
  [T.BFLOAT16, 'bitcast<f32>(b << 16u)'],
  [T.INT16, '(bitcast<i32>(b << 16u) >> 16u)'],
  [T.UINT16, 'i32(b)'],
  [T.INT8, '(bitcast<i32>(b << 24u) >> 24u)'],
  [T.UINT8, 'b'],
  [T.BOOL, 'select(0u, 1u, b != 0u)'],
]);

export const bitCastWgsl: GpuKernel<typeof BitCast.attrs> = ([x], { to, nnrt_from }, [out]) => {
  const from = nnrt_from ?? DTYPE_ELEMENT_TYPE[x!.dtype];
  const toBits = TO_BITS.get(from);
  const fromBits = FROM_BITS.get(to);
  if (!toBits) return `BitCast from ${elementTypeName(from)} (not held in 32 bits on the device)`;
  if (!fromBits) return `BitCast to ${elementTypeName(to)} (not held in 32 bits on the device)`;
  const size = out!.shape.reduce((p, d) => p * d, 1);
  if (size === 0) return 'an empty tensor';
  const [tx, ty] = [wgslType(x!.dtype), wgslType(out!.dtype)];
  const u = new Uniforms().add('size', 'u32', size);
  const body = `if (gi >= ${u.at('size')}) { return; }
    let x = X[gi];
    let b = ${toBits};
    Y[gi] = ${fromBits};`;
  return {
    programs: [{
      key: `bitcast:${from}>${to}`,
      source: () => `${storage(0, 'X', tx, 'read')}${storage(1, 'Y', ty, 'read_write')}${u.declare(2)}\n${linearMain(body)}`,
      bindings: [{ input: 0 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(size),
    }],
  };
};
