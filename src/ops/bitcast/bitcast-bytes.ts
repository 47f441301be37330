// Little-endian byte codecs of the ONNX element types BitCast reads and writes, over the values as
// nnrt holds them (uint32 in int64, float64 in float32, float16 and int64 as their storage).
import { ELEMENT_TYPE as T } from '../../tensor/element-type.js';

export interface ByteCodec {
  bytes: number;
  /** Writes held value `v` (a number, or a bigint for 64-bit integer types) at byte `at`. */
  write(view: DataView, at: number, v: number | bigint): void;
  read(view: DataView, at: number): number | bigint;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

const codec = (bytes: number, write: ByteCodec['write'], read: ByteCodec['read']): ByteCodec => ({ bytes, write, read });
const LE = true;

export const BITCAST_BYTES = new Map<number, ByteCodec>([
  [T.BOOL, codec(1, (d, a, v) => d.setUint8(a, Number(v) ? 1 : 0), (d, a) => +(d.getUint8(a) !== 0))],
  [T.UINT8, codec(1, (d, a, v) => d.setUint8(a, Number(v)), (d, a) => d.getUint8(a))],
  [T.INT8, codec(1, (d, a, v) => d.setInt8(a, Number(v)), (d, a) => d.getInt8(a))],
  [T.UINT16, codec(2, (d, a, v) => d.setUint16(a, Number(v), LE), (d, a) => d.getUint16(a, LE))],
  [T.INT16, codec(2, (d, a, v) => d.setInt16(a, Number(v), LE), (d, a) => d.getInt16(a, LE))],
  // float16 is held as its raw bits
  [T.FLOAT16, codec(2, (d, a, v) => d.setUint16(a, Number(v), LE), (d, a) => d.getUint16(a, LE))],
  [T.BFLOAT16, codec(2, (d, a, v) => { f32[0] = Number(v); d.setUint16(a, u32[0]! >>> 16, LE); }, (d, a) => { u32[0] = d.getUint16(a, LE) << 16; return f32[0]!; })],
  [T.INT32, codec(4, (d, a, v) => d.setInt32(a, Number(v), LE), (d, a) => d.getInt32(a, LE))],
  [T.UINT32, codec(4, (d, a, v) => d.setUint32(a, Number(BigInt.asUintN(32, BigInt(v))), LE), (d, a) => BigInt(d.getUint32(a, LE)))],
  [T.FLOAT, codec(4, (d, a, v) => d.setFloat32(a, Number(v), LE), (d, a) => d.getFloat32(a, LE))],
  [T.INT64, codec(8, (d, a, v) => d.setBigInt64(a, BigInt(v), LE), (d, a) => d.getBigInt64(a, LE))],
  [T.UINT64, codec(8, (d, a, v) => d.setBigInt64(a, BigInt(v), LE), (d, a) => d.getBigInt64(a, LE))],
  // float64 is held rounded to float32: its bits are those of that float32 value
  [T.DOUBLE, codec(8, (d, a, v) => d.setFloat64(a, Number(v), LE), (d, a) => d.getFloat64(a, LE))],
]);
