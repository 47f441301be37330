// ResNet v1 and v2 as in mxnet/gluon/model_zoo/vision/resnet.py (MXNet 1.x), with its naming.
// Differences from torchvision: v1 bottlenecks put the stride on the first 1×1 conv (torchvision
// and GluonCV's v1b on the 3×3) and their 1×1 body convs have biases; v2 is pre-activation with a
// data BatchNorm (scale and center off) before the stem.
import { HybridBlock, HybridSequential, type BlockOptions } from '../nn/block.js';
import { Activation, BatchNorm, Dense, Flatten } from '../nn/layers/basic.js';
import { Conv2D } from '../nn/layers/conv.js';
import { GlobalAvgPool2D, MaxPool2D } from '../nn/layers/pool.js';
import type { Sym, Symbolic } from '../nn/symbol.js';

export const conv3x3 = (channels: number, stride: number, inChannels: number) =>
  new Conv2D({ channels, kernelSize: 3, strides: stride, padding: 1, useBias: false, inChannels });

export interface ResBlockArgs {
  channels: number;
  stride: number;
  downsample: boolean;
  inChannels: number;
}
export type ResBlockCtor = new (a: ResBlockArgs, o?: BlockOptions) => HybridBlock;

export class BasicBlockV1 extends HybridBlock {
  readonly body: HybridSequential;
  readonly downsample: HybridSequential | undefined;

  constructor(a: ResBlockArgs, o: BlockOptions = {}) {
    super(o);
    this.body = this.registerChild('body', new HybridSequential({ prefix: '' }));
    this.body.add(conv3x3(a.channels, a.stride, a.inChannels), new BatchNorm(), new Activation('relu'), conv3x3(a.channels, 1, a.channels), new BatchNorm());
    this.downsample = a.downsample ? this.registerChild('downsample', new HybridSequential({ prefix: '' })) : undefined;
    this.downsample?.add(new Conv2D({ channels: a.channels, kernelSize: 1, strides: a.stride, useBias: false, inChannels: a.inChannels }), new BatchNorm());
  }

  forward(F: Symbolic, x: Sym): Sym {
    const residual = this.downsample ? this.downsample.forward(F, x) : x;
    return F.activation(F.add(residual, this.body.forward(F, x)), 'relu');
  }
}

export class BottleneckV1 extends HybridBlock {
  readonly body: HybridSequential;
  readonly downsample: HybridSequential | undefined;

  /**
   * Gluon strides the first 1×1 conv; `strideOn3x3` moves the stride to the 3×3 (torchvision's
   * and Gluon's v1b placement; used by the torchvision architecture check).
   */
  constructor(a: ResBlockArgs, o: BlockOptions = {}, strideOn3x3 = false) {
    super(o);
    const c4 = a.channels / 4;
    this.body = this.registerChild('body', new HybridSequential({ prefix: '' }));
    this.body.add(
      new Conv2D({ channels: c4, kernelSize: 1, strides: strideOn3x3 ? 1 : a.stride }), new BatchNorm(), new Activation('relu'),
      conv3x3(c4, strideOn3x3 ? a.stride : 1, c4), new BatchNorm(), new Activation('relu'),
      new Conv2D({ channels: a.channels, kernelSize: 1 }), new BatchNorm(),
    );
    this.downsample = a.downsample ? this.registerChild('downsample', new HybridSequential({ prefix: '' })) : undefined;
    this.downsample?.add(new Conv2D({ channels: a.channels, kernelSize: 1, strides: a.stride, useBias: false, inChannels: a.inChannels }), new BatchNorm());
  }

  forward(F: Symbolic, x: Sym): Sym {
    const residual = this.downsample ? this.downsample.forward(F, x) : x;
    return F.activation(F.add(this.body.forward(F, x), residual), 'relu');
  }
}

/** v2 blocks' shortcut when the shape changes: a strided 1×1 convolution without bias. */
export function projectionShortcut(a: ResBlockArgs): Conv2D {
  return new Conv2D({ channels: a.channels, kernelSize: 1, strides: a.stride, useBias: false, inChannels: a.inChannels });
}

export class BasicBlockV2 extends HybridBlock {
  readonly bn1: BatchNorm;
  readonly conv1: Conv2D;
  readonly bn2: BatchNorm;
  readonly conv2: Conv2D;
  readonly downsample: Conv2D | undefined;

  constructor(a: ResBlockArgs, o: BlockOptions = {}) {
    super(o);
    this.bn1 = this.registerChild('bn1', new BatchNorm());
    this.conv1 = this.registerChild('conv1', conv3x3(a.channels, a.stride, a.inChannels));
    this.bn2 = this.registerChild('bn2', new BatchNorm());
    this.conv2 = this.registerChild('conv2', conv3x3(a.channels, 1, a.channels));
    this.downsample = a.downsample
      ? this.registerChild('downsample', projectionShortcut(a))
      : undefined;
  }

  forward(F: Symbolic, x: Sym): Sym {
    let residual = x;
    x = F.activation(this.bn1.forward(F, x), 'relu');
    if (this.downsample) residual = this.downsample.forward(F, x);
    x = this.conv1.forward(F, x);
    x = this.conv2.forward(F, F.activation(this.bn2.forward(F, x), 'relu'));
    return F.add(x, residual);
  }
}

export class BottleneckV2 extends HybridBlock {
  readonly bn1: BatchNorm;
  readonly conv1: Conv2D;
  readonly bn2: BatchNorm;
  readonly conv2: Conv2D;
  readonly bn3: BatchNorm;
  readonly conv3: Conv2D;
  readonly downsample: Conv2D | undefined;

  constructor(a: ResBlockArgs, o: BlockOptions = {}) {
    super(o);
    const c4 = a.channels / 4;
    this.bn1 = this.registerChild('bn1', new BatchNorm());
    this.conv1 = this.registerChild('conv1', new Conv2D({ channels: c4, kernelSize: 1, useBias: false }));
    this.bn2 = this.registerChild('bn2', new BatchNorm());
    this.conv2 = this.registerChild('conv2', conv3x3(c4, a.stride, c4));
    this.bn3 = this.registerChild('bn3', new BatchNorm());
    this.conv3 = this.registerChild('conv3', new Conv2D({ channels: a.channels, kernelSize: 1, useBias: false }));
    this.downsample = a.downsample
      ? this.registerChild('downsample', projectionShortcut(a))
      : undefined;
  }

  forward(F: Symbolic, x: Sym): Sym {
    let residual = x;
    x = F.activation(this.bn1.forward(F, x), 'relu');
    if (this.downsample) residual = this.downsample.forward(F, x);
    x = this.conv1.forward(F, x);
    x = this.conv2.forward(F, F.activation(this.bn2.forward(F, x), 'relu'));
    x = this.conv3.forward(F, F.activation(this.bn3.forward(F, x), 'relu'));
    return F.add(x, residual);
  }
}

export interface ResNetOptions extends BlockOptions {
  classes?: number;
  /** A 3×3 stride-1 stem without max pooling, for small (CIFAR-sized) images. */
  thumbnail?: boolean;
}

/** A stage: `layers` blocks under the prefix 'stage<i>_', the first one changing stride and width. */
export function makeStage(block: ResBlockCtor, layers: number, channels: number, stride: number, index: number, inChannels: number): HybridSequential {
  const stage = new HybridSequential({ prefix: `stage${index}_` });
  stage.scoped(() => {
    stage.add(new block({ channels, stride, downsample: channels !== inChannels, inChannels }, { prefix: '' }));
    for (let i = 1; i < layers; i++) stage.add(new block({ channels, stride: 1, downsample: false, inChannels: channels }, { prefix: '' }));
  });
  return stage;
}

export class ResNetV1 extends HybridBlock {
  readonly features: HybridSequential;
  readonly output: Dense;

  constructor(block: ResBlockCtor, layers: number[], channels: number[], o: ResNetOptions = {}) {
    super(o);
    [this.features, this.output] = this.nameScope(() => {
      const features = this.registerChild('features', new HybridSequential({ prefix: '' }));
      if (o.thumbnail) features.add(conv3x3(channels[0]!, 1, 0));
      else features.add(new Conv2D({ channels: channels[0]!, kernelSize: 7, strides: 2, padding: 3, useBias: false }), new BatchNorm(), new Activation('relu'), new MaxPool2D({ poolSize: 3, strides: 2, padding: 1 }));
      layers.forEach((n, i) => features.add(makeStage(block, n, channels[i + 1]!, i === 0 ? 1 : 2, i + 1, channels[i]!)));
      features.add(new GlobalAvgPool2D());
      const output = this.registerChild('output', new Dense({ units: o.classes ?? 1000, inUnits: channels[channels.length - 1]! }));
      return [features, output] as const;
    });
  }

  protected override alias(): string {
    return 'resnetv1';
  }

  forward(F: Symbolic, x: Sym): Sym {
    return this.output.forward(F, this.features.forward(F, x));
  }
}

export class ResNetV2 extends HybridBlock {
  readonly features: HybridSequential;
  readonly output: Dense;

  constructor(block: ResBlockCtor, layers: number[], channels: number[], o: ResNetOptions = {}) {
    super(o);
    [this.features, this.output] = this.nameScope(() => {
      const features = this.registerChild('features', new HybridSequential({ prefix: '' }));
      features.add(new BatchNorm({ scale: false, center: false }));
      if (o.thumbnail) features.add(conv3x3(channels[0]!, 1, 0));
      else features.add(new Conv2D({ channels: channels[0]!, kernelSize: 7, strides: 2, padding: 3, useBias: false }), new BatchNorm(), new Activation('relu'), new MaxPool2D({ poolSize: 3, strides: 2, padding: 1 }));
      let inChannels = channels[0]!;
      layers.forEach((n, i) => {
        features.add(makeStage(block, n, channels[i + 1]!, i === 0 ? 1 : 2, i + 1, inChannels));
        inChannels = channels[i + 1]!;
      });
      features.add(new BatchNorm(), new Activation('relu'), new GlobalAvgPool2D(), new Flatten());
      const output = this.registerChild('output', new Dense({ units: o.classes ?? 1000, inUnits: inChannels }));
      return [features, output] as const;
    });
  }

  protected override alias(): string {
    return 'resnetv2';
  }

  forward(F: Symbolic, x: Sym): Sym {
    return this.output.forward(F, this.features.forward(F, x));
  }
}

const SPEC: Record<number, [basic: boolean, layers: number[], channels: number[]]> = {
  18: [true, [2, 2, 2, 2], [64, 64, 128, 256, 512]],
  34: [true, [3, 4, 6, 3], [64, 64, 128, 256, 512]],
  50: [false, [3, 4, 6, 3], [64, 256, 512, 1024, 2048]],
  101: [false, [3, 4, 23, 3], [64, 256, 512, 1024, 2048]],
  152: [false, [3, 8, 36, 3], [64, 256, 512, 1024, 2048]],
};
export const RESNET_DEPTHS = Object.keys(SPEC).map(Number);

export function buildResNet(version: 1 | 2, depth: number, o: ResNetOptions = {}): HybridBlock {
  const [basic, layers, channels] = SPEC[depth]!;
  if (version === 1) return new ResNetV1(basic ? BasicBlockV1 : BottleneckV1, layers, channels, o);
  return new ResNetV2(basic ? BasicBlockV2 : BottleneckV2, layers, channels, o);
}
