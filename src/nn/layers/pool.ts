// Gluon's pooling layers. Gluon pools default `strides` to the pool size and AvgPool counts the
// zero padding (count_include_pad=True); ceil_mode is MXNet's 'full' pooling convention.
import { HybridBlock, type BlockOptions } from '../block.js';
import type { Sym, Symbolic } from '../symbol.js';

type Ints = number | number[];

export interface PoolOptions extends BlockOptions {
  poolSize?: Ints;
  /** Default: the pool size. */
  strides?: Ints;
  padding?: Ints;
  ceilMode?: boolean;
  /** AvgPool only (default true, as in Gluon). */
  countIncludePad?: boolean;
}

const expand = (v: Ints, n: number) => (typeof v === 'number' ? new Array<number>(n).fill(v) : [...v]);

abstract class Pool extends HybridBlock {
  readonly poolSize: number[];
  readonly strides: number[];
  readonly padding: number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;

  constructor(dims: number, private readonly kind: 'max' | 'avg', o: PoolOptions) {
    super(o);
    this.poolSize = expand(o.poolSize ?? 2, dims);
    this.strides = expand(o.strides ?? this.poolSize, dims);
    this.padding = expand(o.padding ?? 0, dims);
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
  }

  protected override alias(): string {
    return 'pool';
  }

  forward(F: Symbolic, x: Sym): Sym {
    const attrs = {
      kernel_shape: this.poolSize,
      strides: this.strides,
      pads: [...this.padding, ...this.padding],
      ceil_mode: this.ceilMode ? 1 : 0,
      ...(this.kind === 'avg' ? { count_include_pad: this.countIncludePad ? 1 : 0 } : {}),
    };
    return F.op(this.kind === 'max' ? 'MaxPool' : 'AveragePool', [x], attrs, `${this.prefix}fwd`);
  }
}

export class MaxPool1D extends Pool {
  constructor(o: PoolOptions = {}) {
    super(1, 'max', o);
  }
}

export class MaxPool2D extends Pool {
  constructor(o: PoolOptions = {}) {
    super(2, 'max', o);
  }
}

export class AvgPool1D extends Pool {
  constructor(o: PoolOptions = {}) {
    super(1, 'avg', o);
  }
}

export class AvgPool2D extends Pool {
  constructor(o: PoolOptions = {}) {
    super(2, 'avg', o);
  }
}

abstract class GlobalPool extends HybridBlock {
  constructor(private readonly op: 'GlobalAveragePool' | 'GlobalMaxPool', o: BlockOptions) {
    super(o);
  }

  protected override alias(): string {
    return 'pool';
  }

  forward(F: Symbolic, x: Sym): Sym {
    return F.op(this.op, [x], {}, `${this.prefix}fwd`);
  }
}

export class GlobalAvgPool2D extends GlobalPool {
  constructor(o: BlockOptions = {}) {
    super('GlobalAveragePool', o);
  }
}

export class GlobalMaxPool2D extends GlobalPool {
  constructor(o: BlockOptions = {}) {
    super('GlobalMaxPool', o);
  }
}
