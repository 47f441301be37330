// Little-endian byte cursors for the .params format. Every read is bounds-checked and fails with a
// ParseError naming the file, the byte offset and the field being read.
import { ParseError } from '../errors.js';

export class ByteReader {
  private readonly view: DataView;
  offset = 0;

  constructor(readonly bytes: Uint8Array, readonly source: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  /** A ParseError at the current offset (or at `at`). */
  error(message: string, at = this.offset): ParseError {
    return new ParseError(message, { where: `${this.source}, byte ${at}` });
  }

  private need(n: number, what: string): number {
    if (n > this.remaining) {
      throw this.error(`truncated file: ${what} needs ${n} bytes, only ${this.remaining} remain`, this.offset);
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  u32(what: string): number {
    return this.view.getUint32(this.need(4, what), true);
  }

  i32(what: string): number {
    return this.view.getInt32(this.need(4, what), true);
  }

  i64(what: string): bigint {
    return this.view.getBigInt64(this.need(8, what), true);
  }

  /** An unsigned 64-bit count or length; refuses values JavaScript cannot index with. */
  u64(what: string): number {
    const at = this.offset;
    const v = this.view.getBigUint64(this.need(8, what), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw this.error(`${what} is ${v}, far larger than any file`, at);
    return Number(v);
  }

  /** `n` bytes as a view into the file (no copy). */
  take(n: number, what: string): Uint8Array {
    const at = this.need(n, what);
    return this.bytes.subarray(at, at + n);
  }
}

export class ByteWriter {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;

  /** Reserves n bytes and returns their offset; call before reading this.buf or this.view. */
  private grow(n: number): number {
    if (this.length + n > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < this.length + n) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  u32(v: number): void {
    const at = this.grow(4);
    this.view.setUint32(at, v, true);
  }

  i32(v: number): void {
    const at = this.grow(4);
    this.view.setInt32(at, v, true);
  }

  i64(v: number | bigint): void {
    const at = this.grow(8);
    this.view.setBigInt64(at, BigInt(v), true);
  }

  u64(v: number): void {
    const at = this.grow(8);
    this.view.setBigUint64(at, BigInt(v), true);
  }

  bytes(b: Uint8Array): void {
    const at = this.grow(b.length); // may replace this.buf
    this.buf.set(b, at);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
