import type { AttrValue } from './attr.js';
import type { Graph } from './graph.js';
import { topoSort } from './topo.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * A canonical hash of a graph for caches: structure (ops, domains, attributes, how values connect),
 * input/output/initializer dtypes and shapes, and optionally the initializers' bytes. Value and node
 * NAMES do not enter the hash (two exports of one model hash alike; ORT's name-keyed cache bug);
 * values are numbered in topological order instead. 64-bit FNV-1a over a canonical byte stream,
 * printed as 16 hex digits.
 */
export function hashGraph(graph: Graph, opts: { weights?: boolean } = {}): string {
  const h = new Fnv64();
  const ids = new Map<string, number>();
  const id = (name: string) => {
    if (!name) return -1;
    let v = ids.get(name);
    if (v === undefined) ids.set(name, (v = ids.size));
    return v;
  };
  for (const v of graph.inputs) {
    if (graph.initializers.has(v.name)) continue;
    h.str('in').num(id(v.name)).str(v.dtype).str(v.shape.join(','));
  }
  // initializers in first-use order (names excluded), so renaming does not change the hash
  const order = topoSort(graph);
  for (const n of order) {
    for (const i of n.inputs) {
      const t = graph.initializers.get(i);
      if (t && !ids.has(i)) {
        h.str('const').num(id(i));
        tensorInto(h, t, opts.weights ?? false);
      }
    }
    h.str('node').str(n.domain).str(n.opType);
    h.num(n.inputs.length);
    for (const i of n.inputs) h.num(id(i));
    h.num(n.outputs.length);
    for (const o of n.outputs) h.num(id(o));
    for (const k of Object.keys(n.attrs).sort()) attrInto(h.str(k), n.attrs[k]!, opts.weights ?? false);
  }
  for (const o of graph.outputs) h.str('out').num(id(o.name));
  return h.hex();
}

function tensorInto(h: Fnv64, t: Tensor, weights: boolean): void {
  h.str(t.dtype).str(t.shape.join(','));
  // small constants (shapes, axes) are structure, not weights: always hashed
  if (weights || t.size <= 64) h.bytes(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function attrInto(h: Fnv64, a: AttrValue, weights: boolean): void {
  h.str(a.type);
  if (a.type === 'tensor') tensorInto(h, a.value, weights);
  else h.str(JSON.stringify(a.value));
}

class Fnv64 {
  private hi = 0xcbf29ce4;
  private lo = 0x84222325;
  private readonly enc = new TextEncoder();

  byte(b: number): void {
    this.lo ^= b;
    // multiply (hi,lo) by the FNV prime 0x100000001b3 modulo 2^64
    const lo = this.lo;
    const a = Math.imul(lo & 0xffff, 0x1b3);
    const b2 = Math.imul(lo >>> 16, 0x1b3);
    const newLo = (a + ((b2 & 0xffff) << 16)) >>> 0;
    const carry = Math.floor(((a >>> 0) + (((b2 & 0xffff) << 16) >>> 0)) / 2 ** 32) + (b2 >>> 16);
    this.hi = (Math.imul(this.hi, 0x1b3) + (lo << 8) + carry) >>> 0;
    this.lo = newLo;
  }
  bytes(u: Uint8Array): this {
    for (let i = 0; i < u.length; i++) this.byte(u[i]!);
    this.byte(0xff);
    return this;
  }
  str(s: string): this {
    return this.bytes(this.enc.encode(s));
  }
  num(n: number): this {
    return this.str(String(n));
  }
  hex(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }
}

/** FNV-1a 64-bit of bytes, as 16 hex digits (exported for plan/cache checksums). */
export function fnv1a64(bytes: Uint8Array): string {
  const h = new Fnv64();
  for (let i = 0; i < bytes.length; i++) h.byte(bytes[i]!);
  return h.hex();
}
