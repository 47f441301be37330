import type { AttrValue } from './attr.js';
import type { Graph } from './graph.js';
import { hasSubgraphs, valuesRead } from './subgraph.js';
import { topoSort } from './topo.js';
import type { NumericStorage } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * A canonical hash of a graph for caches: structure (ops, domains, attributes, how values connect),
 * input/output/initializer dtypes and shapes, and optionally the initializers' bytes. Value and node
 * NAMES do not enter the hash (two exports of one model hash alike; ORT's name-keyed cache bug);
 * values are numbered in topological order instead. Subgraphs (If, Loop, Scan bodies) are hashed
 * inside their node's attributes, their references to enclosing values by the enclosing numbers.
 * 64-bit FNV-1a over a canonical byte stream, printed as 16 hex digits.
 */
export function hashGraph(graph: Graph, opts: { weights?: boolean } = {}): string {
  const h = new Fnv64();
  graphInto(h, graph, new IdScope(), opts.weights ?? false);
  return h.hex();
}

/**
 * Value numbering with lexical scopes: a subgraph numbers its own values on from its parent's
 * count, and a name it does not define resolves to the enclosing graph's number.
 */
class IdScope {
  private readonly ids = new Map<string, number>();
  constructor(private readonly parent?: IdScope, private readonly counter = { n: 0 }) {}
  has(name: string): boolean {
    return this.ids.has(name) || !!this.parent?.has(name);
  }
  lookup(name: string): number | undefined {
    return this.ids.get(name) ?? this.parent?.lookup(name);
  }
  id(name: string): number {
    if (!name) return -1;
    let v = this.lookup(name);
    if (v === undefined) this.ids.set(name, (v = this.counter.n++));
    return v;
  }
  /** Defines a name in this scope (subgraph inputs and outputs shadow outer names). */
  define(name: string): number {
    const v = this.counter.n++;
    this.ids.set(name, v);
    return v;
  }
  child(): IdScope {
    return new IdScope(this, this.counter);
  }
}

function graphInto(h: Fnv64, graph: Graph, scope: IdScope, weights: boolean): void {
  for (const v of graph.inputs) {
    if (graph.initializers.has(v.name)) continue;
    h.str('in').num(scope.define(v.name));
    if (v.kind) h.str(v.kind);
    h.str(v.dtype).str(v.shape.join(','));
  }
  // initializers in first-use order (names excluded), so renaming does not change the hash
  const order = topoSort(graph);
  for (const n of order) {
    // a subgraph's reads of this graph's initializers count as uses here
    for (const i of hasSubgraphs(n) ? valuesRead(n) : n.inputs) {
      const t = graph.initializers.get(i);
      if (t && !scope.has(i)) {
        h.str('const').num(scope.id(i));
        tensorInto(h, t, weights);
      }
    }
    h.str('node').str(n.domain).str(n.opType);
    h.num(n.inputs.length);
    for (const i of n.inputs) h.num(scope.id(i));
    h.num(n.outputs.length);
    for (const o of n.outputs) h.num(scope.id(o));
    for (const k of Object.keys(n.attrs).sort()) attrInto(h.str(k), n.attrs[k]!, scope, weights);
  }
  for (const o of graph.outputs) h.str('out').num(scope.id(o.name));
}

function tensorInto(h: Fnv64, t: Tensor, weights: boolean): void {
  h.str(t.dtype).str(t.shape.join(','));
  // small constants (shapes, axes) are structure, not weights: always hashed
  if (!weights && t.size > 64) return;
  if (t.dtype === 'string') for (const s of t.data as string[]) h.str(s);
  else {
    const d = t.data as NumericStorage;
    h.words(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
}

function attrInto(h: Fnv64, a: AttrValue, scope: IdScope, weights: boolean): void {
  h.str(a.type);
  if (a.type === 'tensor') tensorInto(h, a.value, weights);
  else if (a.type === 'graph') graphInto(h.str('{'), a.value, scope.child(), weights);
  else if (a.type === 'graphs') for (const g of a.value) graphInto(h.str('{'), g, scope.child(), weights);
  else h.str(JSON.stringify(a.value));
}

class Fnv64 {
  private hi = 0xcbf29ce4;
  private lo = 0x84222325;
  private readonly enc = new TextEncoder();

  byte(b: number): void {
    this.mix(this.lo ^ b);
  }
  /** FNV-1a's step with `lo` already xored with the input (a byte, or a whole 32-bit word). */
  private mix(x: number): void {
    // multiply (hi,lo) by the FNV prime 0x100000001b3 modulo 2^64
    const lo = x >>> 0;
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
  /**
   * Bulk data (weights) four bytes a step, as little-endian 32-bit words, the tail byte by byte:
   * a quarter of the steps of `bytes` (hashing a ViT-B's 344 MB of weights byte by byte took seconds).
   */
  words(u: Uint8Array): this {
    const whole = u.length >>> 2;
    const w = u.byteOffset % 4 === 0 ? new Uint32Array(u.buffer, u.byteOffset, whole) : undefined;
    for (let i = 0; i < whole; i++) {
      const j = 4 * i;
      this.mix(this.lo ^ (w ? w[i]! : u[j]! | (u[j + 1]! << 8) | (u[j + 2]! << 16) | (u[j + 3]! << 24)));
    }
    for (let i = whole * 4; i < u.length; i++) this.byte(u[i]!);
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
