// Gluon's basic layers: Dense, BatchNorm, LayerNorm, activations, Dropout, Flatten, Embedding.
import { UnsupportedError } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { HybridBlock, type BlockOptions } from '../block.js';
import { init, type Initializer } from '../init.js';
import type { Parameter } from '../parameter.js';
import type { ActType, Sym, Symbolic } from '../symbol.js';

export interface DenseOptions extends BlockOptions {
  units: number;
  activation?: ActType;
  useBias?: boolean;
  /** Flatten all but the first axis first (default true); false applies the layer on the last axis. */
  flatten?: boolean;
  inUnits?: number;
  weightInitializer?: Initializer;
  biasInitializer?: Initializer;
}

/** y = x·Wᵀ + b with W of shape (units, in_units), as Gluon stores it. */
export class Dense extends HybridBlock {
  readonly units: number;
  readonly flatten: boolean;
  readonly activation: ActType | undefined;
  readonly weight: Parameter;
  readonly bias: Parameter | undefined;

  constructor(o: DenseOptions) {
    super(o);
    this.units = o.units;
    this.flatten = o.flatten ?? true;
    this.activation = o.activation;
    this.weight = this.param('weight', [o.units, o.inUnits ?? 0], o.weightInitializer ? { init: o.weightInitializer } : {});
    this.bias = o.useBias ?? true ? this.param('bias', [o.units], { init: o.biasInitializer ?? init.zeros() }) : undefined;
  }

  protected override alias(): string {
    return 'dense';
  }

  forward(F: Symbolic, x: Sym): Sym {
    if (this.flatten && x.shape.length !== 2) x = F.flatten(x, `${this.prefix}flatten`);
    this.weight.inferShape([this.units, x.shape[x.shape.length - 1]!]);
    const w = F.param(this.weight);
    let y: Sym;
    if (this.flatten) {
      y = F.op('Gemm', this.bias ? [x, w, F.param(this.bias)] : [x, w], { transB: 1 }, `${this.prefix}fwd`);
    } else {
      y = F.op('MatMul', [x, F.op('Transpose', [w], { perm: [1, 0] }, `${this.prefix}weight_t`)], {}, `${this.prefix}fwd`);
      if (this.bias) y = F.add(y, F.param(this.bias), `${this.prefix}bias_add`);
    }
    return this.activation ? F.activation(y, this.activation, `${this.prefix}${this.activation}_fwd`) : y;
  }
}

export class Activation extends HybridBlock {
  // Gluon names activation blocks after their function: relu0, sigmoid0, ...
  constructor(readonly actType: ActType, o: BlockOptions = {}) {
    super(o, actType);
  }

  forward(F: Symbolic, x: Sym): Sym {
    return F.activation(x, this.actType, `${this.prefix}fwd`);
  }
}

export class LeakyReLU extends HybridBlock {
  constructor(readonly alpha: number, o: BlockOptions = {}) {
    super(o);
  }

  protected override alias(): string {
    return 'leakyrelu';
  }

  forward(F: Symbolic, x: Sym): Sym {
    return F.op('LeakyRelu', [x], { alpha: this.alpha }, `${this.prefix}fwd`);
  }
}

/** Leaky ReLU with a learned slope per channel (`inChannels` slopes on axis 1, default one shared slope). */
export class PReLU extends HybridBlock {
  readonly alpha: Parameter;

  constructor(o: BlockOptions & { alphaInitializer?: Initializer; inChannels?: number } = {}) {
    super(o);
    this.alpha = this.param('alpha', [o.inChannels ?? 1], { init: o.alphaInitializer ?? init.constant(0.25) });
  }

  protected override alias(): string {
    return 'prelu';
  }

  forward(F: Symbolic, x: Sym): Sym {
    let slope = F.param(this.alpha);
    const c = this.alpha.shape[0]!;
    if (c > 1) {
      // slopes act on axis 1: shape them [C, 1, …] so they broadcast against [N, C, …]
      const shape = [c, ...new Array<number>(Math.max(0, x.shape.length - 2)).fill(1)];
      slope = F.op('Reshape', [slope, F.constant(`${this.prefix}alpha_shape`, new Tensor('int64', [shape.length], BigInt64Array.from(shape.map(BigInt))))]);
    }
    return F.op('PRelu', [x, slope], {}, `${this.prefix}fwd`);
  }
}

/** Inference-time identity: dropout only acts while training, which nnrt does not do. */
export class Dropout extends HybridBlock {
  constructor(readonly rate: number, o: BlockOptions = {}) {
    super(o);
  }

  protected override alias(): string {
    return 'dropout';
  }

  forward(_F: Symbolic, x: Sym): Sym {
    return x;
  }
}

export class Flatten extends HybridBlock {
  protected override alias(): string {
    return 'flatten';
  }

  forward(F: Symbolic, x: Sym): Sym {
    return F.flatten(x, `${this.prefix}fwd`);
  }
}

export interface BatchNormOptions extends BlockOptions {
  axis?: number;
  momentum?: number;
  epsilon?: number;
  /** Learn the shift beta (default true; false keeps it at 0). */
  center?: boolean;
  /** Learn the scale gamma (default true; false keeps it at 1). */
  scale?: boolean;
  inChannels?: number;
}

/** Inference BatchNorm with the running statistics (aux parameters running_mean / running_var). */
export class BatchNorm extends HybridBlock {
  readonly epsilon: number;
  readonly momentum: number;
  readonly gamma: Parameter;
  readonly beta: Parameter;
  readonly runningMean: Parameter;
  readonly runningVar: Parameter;

  constructor(o: BatchNormOptions = {}) {
    super(o);
    if ((o.axis ?? 1) !== 1) throw new UnsupportedError(`BatchNorm on axis ${o.axis}: nnrt supports the channel axis 1 (NCHW)`);
    this.epsilon = o.epsilon ?? 1e-5;
    this.momentum = o.momentum ?? 0.9;
    const c = [o.inChannels ?? 0];
    this.gamma = this.param('gamma', c, { init: init.ones() });
    this.beta = this.param('beta', c, { init: init.zeros() });
    this.runningMean = this.param('running_mean', c, { kind: 'aux', init: init.zeros() });
    this.runningVar = this.param('running_var', c, { kind: 'aux', init: init.ones() });
  }

  protected override alias(): string {
    return 'batchnorm';
  }

  forward(F: Symbolic, x: Sym): Sym {
    const c = [x.shape[1]!];
    for (const p of [this.gamma, this.beta, this.runningMean, this.runningVar]) p.inferShape(c);
    const ins = [x, F.param(this.gamma), F.param(this.beta), F.param(this.runningMean), F.param(this.runningVar)];
    return F.op('BatchNormalization', ins, { epsilon: this.epsilon, momentum: this.momentum }, `${this.prefix}fwd`);
  }
}

/** Layer normalization over the last axis with learned gamma and beta. */
export class LayerNorm extends HybridBlock {
  readonly epsilon: number;
  readonly gamma: Parameter;
  readonly beta: Parameter;

  constructor(o: BlockOptions & { axis?: number; epsilon?: number; inChannels?: number } = {}) {
    super(o);
    if ((o.axis ?? -1) !== -1) throw new UnsupportedError(`LayerNorm on axis ${o.axis}: nnrt supports the last axis (-1)`);
    this.epsilon = o.epsilon ?? 1e-5;
    this.gamma = this.param('gamma', [o.inChannels ?? 0], { init: init.ones() });
    this.beta = this.param('beta', [o.inChannels ?? 0], { init: init.zeros() });
  }

  protected override alias(): string {
    return 'layernorm';
  }

  forward(F: Symbolic, x: Sym): Sym {
    const c = [x.shape[x.shape.length - 1]!];
    this.gamma.inferShape(c);
    this.beta.inferShape(c);
    return F.op('LayerNormalization', [x, F.param(this.gamma), F.param(this.beta)], { axis: -1, epsilon: this.epsilon }, `${this.prefix}fwd`);
  }
}

/** Looks up rows of a (inputDim, outputDim) table; float indices are cast to int64 as MXNet does. */
export class Embedding extends HybridBlock {
  readonly weight: Parameter;

  constructor(readonly inputDim: number, readonly outputDim: number, o: BlockOptions & { weightInitializer?: Initializer } = {}) {
    super(o);
    this.weight = this.param('weight', [inputDim, outputDim], o.weightInitializer ? { init: o.weightInitializer } : {});
  }

  protected override alias(): string {
    return 'embedding';
  }

  forward(F: Symbolic, x: Sym): Sym {
    const idx = x.dtype === 'float32' || x.dtype === 'float16' ? F.op('Cast', [x], { to: 7 }, `${this.prefix}indices`) : x;
    return F.op('Gather', [F.param(this.weight), idx], { axis: 0 }, `${this.prefix}fwd`);
  }
}
