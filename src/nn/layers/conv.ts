// Gluon's convolution layers (Conv1D/2D and their transposes) as IR Conv / ConvTranspose nodes.
import { ShapeError } from '../../errors.js';
import { HybridBlock, type BlockOptions } from '../block.js';
import { init, type Initializer } from '../init.js';
import type { Parameter } from '../parameter.js';
import type { ActType, Sym, Symbolic } from '../symbol.js';

type Ints = number | number[];

export interface ConvOptions extends BlockOptions {
  channels: number;
  kernelSize: Ints;
  strides?: Ints;
  padding?: Ints;
  dilation?: Ints;
  /** Transposed convolutions only: extra size added to one side of the output. */
  outputPadding?: Ints;
  groups?: number;
  activation?: ActType;
  useBias?: boolean;
  weightInitializer?: Initializer;
  biasInitializer?: Initializer;
  /** 0 (default) infers it from the first input. */
  inChannels?: number;
}

function tuple(v: Ints | undefined, n: number, fallback: number, what: string): number[] {
  const t = v === undefined ? new Array<number>(n).fill(fallback) : typeof v === 'number' ? new Array<number>(n).fill(v) : [...v];
  if (t.length !== n) throw new ShapeError(`${what} must have ${n} values, got [${t.join(',')}]`);
  return t;
}

abstract class ConvBase extends HybridBlock {
  readonly channels: number;
  readonly kernel: number[];
  readonly strides: number[];
  readonly padding: number[];
  readonly dilation: number[];
  readonly outputPadding: number[];
  readonly groups: number;
  readonly activation: ActType | undefined;
  readonly weight: Parameter;
  readonly bias: Parameter | undefined;

  constructor(dims: number, readonly transposed: boolean, o: ConvOptions) {
    super(o);
    this.channels = o.channels;
    this.kernel = tuple(o.kernelSize, dims, 1, 'kernelSize');
    this.strides = tuple(o.strides, dims, 1, 'strides');
    this.padding = tuple(o.padding, dims, 0, 'padding');
    this.dilation = tuple(o.dilation, dims, 1, 'dilation');
    this.outputPadding = tuple(o.outputPadding, dims, 0, 'outputPadding');
    this.groups = o.groups ?? 1;
    this.activation = o.activation;
    const inC = o.inChannels ?? 0;
    // Gluon's layouts: Conv (out, in/groups, k…); transposed Conv (in, out/groups, k…)
    const wShape = transposed ? [inC, this.channels / this.groups, ...this.kernel] : [this.channels, inC / this.groups, ...this.kernel];
    this.weight = this.param('weight', wShape, o.weightInitializer ? { init: o.weightInitializer } : {});
    this.bias = o.useBias ?? true ? this.param('bias', [this.channels], { init: o.biasInitializer ?? init.zeros() }) : undefined;
  }

  protected override alias(): string {
    return 'conv';
  }

  forward(F: Symbolic, x: Sym): Sym {
    const inC = x.shape[1]!;
    this.weight.inferShape(this.transposed ? [inC, this.channels / this.groups, ...this.kernel] : [this.channels, inC / this.groups, ...this.kernel]);
    const attrs = {
      kernel_shape: this.kernel,
      strides: this.strides,
      pads: [...this.padding, ...this.padding],
      dilations: this.dilation,
      group: this.groups,
      ...(this.transposed && this.outputPadding.some((p) => p) ? { output_padding: this.outputPadding } : {}),
    };
    const inputs = [x, F.param(this.weight), this.bias ? F.param(this.bias) : undefined].filter((s): s is Sym => s !== undefined);
    const y = F.op(this.transposed ? 'ConvTranspose' : 'Conv', inputs, attrs, `${this.prefix}fwd`);
    return this.activation ? F.activation(y, this.activation, `${this.prefix}${this.activation}_fwd`) : y;
  }
}

export class Conv1D extends ConvBase {
  constructor(o: ConvOptions) {
    super(1, false, o);
  }
}

export class Conv2D extends ConvBase {
  constructor(o: ConvOptions) {
    super(2, false, o);
  }
}

export class Conv1DTranspose extends ConvBase {
  constructor(o: ConvOptions) {
    super(1, true, o);
  }
}

export class Conv2DTranspose extends ConvBase {
  constructor(o: ConvOptions) {
    super(2, true, o);
  }
}
