import { ShapeError, UsageError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { fillValues, type Initializer } from './init.js';
import { mulberry32 } from '../tensor/random.js';

/** 'arg' parameters are learned; 'aux' are running statistics (MXNet's auxiliary states). */
export type ParamKind = 'arg' | 'aux';

/**
 * A named parameter (Gluon's `Parameter`). A 0 in `shape` is a dimension not known until the first
 * forward pass (deferred initialization: `in_channels=0` layers).
 */
export class Parameter {
  readonly name: string;
  readonly kind: ParamKind;
  /** The layer's own initializer (e.g. 'zeros' for biases); undefined uses the one given to initialize(). */
  readonly init: Initializer | undefined;
  shape: number[];
  private value: Tensor<'float32'> | undefined;
  /** Set by initialize() while the shape is still unknown: how to fill it once the shape is known. */
  private deferred: { init: Initializer; seed: number } | undefined;

  constructor(name: string, shape: number[], opts: { kind?: ParamKind; init?: Initializer } = {}) {
    this.name = name;
    this.shape = [...shape];
    this.kind = opts.kind ?? 'arg';
    this.init = opts.init;
  }

  get shapeKnown(): boolean {
    return this.shape.every((d) => d > 0);
  }

  get initialized(): boolean {
    return this.value !== undefined;
  }

  /** Fills the parameter now, or as soon as its shape is known. */
  initialize(fallback: Initializer, seed: number, force = false): void {
    if (this.value && !force) return;
    const ini = this.init ?? fallback;
    if (!this.shapeKnown) {
      this.deferred = { init: ini, seed };
      return;
    }
    this.value = new Tensor('float32', this.shape, fillValues(ini, this.shape, mulberry32(seed), this.name));
  }

  /** Completes unknown (0) dimensions; the known ones must agree. Runs a deferred initialization. */
  inferShape(shape: readonly number[]): void {
    const ok = shape.length === this.shape.length && this.shape.every((d, i) => d === 0 || d === shape[i]);
    if (!ok) throw new ShapeError(`parameter '${this.name}' has shape [${this.shape.join(',')}], the input needs [${shape.join(',')}]`);
    if (this.shapeKnown) return;
    this.shape = [...shape];
    if (this.deferred) {
      const { init, seed } = this.deferred;
      this.deferred = undefined;
      this.initialize(init, seed);
    }
  }

  data(): Tensor<'float32'> {
    if (!this.value) {
      throw new UsageError(`parameter '${this.name}' has not been initialized`, {
        hint: 'call initialize() or loadParameters() before running the block',
      });
    }
    return this.value;
  }

  /** Replaces the value; its shape must fit the declared one (unknown dims are taken from it). */
  setData(t: Tensor): void {
    if (t.dtype !== 'float32') throw new ShapeError(`parameter '${this.name}' must be float32, got ${t.dtype}`);
    this.inferShape(t.shape);
    if (t.shape.join(',') !== this.shape.join(',')) {
      throw new ShapeError(`parameter '${this.name}' has shape [${this.shape.join(',')}], got [${t.shape.join(',')}]`);
    }
    this.deferred = undefined;
    this.value = t as Tensor<'float32'>;
  }
}
