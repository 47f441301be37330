// CIFAR-10 ResNets v1/v2 and ResNeXt-29 as in GluonCV (gluoncv/model_zoo/cifarresnet.py,
// cifarresnext.py). Note CIFARResNetV1 has no ReLU after its stem BatchNorm, as in GluonCV.
import { HybridBlock, HybridSequential, type BlockOptions } from '../nn/block.js';
import { Activation, BatchNorm, Dense, Flatten } from '../nn/layers/basic.js';
import { Conv2D } from '../nn/layers/conv.js';
import { GlobalAvgPool2D } from '../nn/layers/pool.js';
import type { Sym, Symbolic } from '../nn/symbol.js';
import { BasicBlockV1, BasicBlockV2, makeStage } from './resnet.js';

/** GluonCV's CIFAR v2 block: ResNet's BasicBlockV2 (same children and names), but the shortcut conv takes the raw input. */
export class CIFARBasicBlockV2 extends BasicBlockV2 {
  protected override alias(): string {
    return 'cifarbasicblockv2';
  }

  override forward(F: Symbolic, x: Sym): Sym {
    const residual = this.downsample ? this.downsample.forward(F, x) : x;
    let y = this.conv1.forward(F, F.activation(this.bn1.forward(F, x), 'relu'));
    y = this.conv2.forward(F, F.activation(this.bn2.forward(F, y), 'relu'));
    return F.add(y, residual);
  }
}

export class CIFARResNet extends HybridBlock {
  readonly features: HybridSequential;
  readonly output: Dense;

  constructor(readonly version: 1 | 2, depth: number, o: BlockOptions & { classes?: number } = {}) {
    super(o, version === 1 ? 'cifarresnetv1' : 'cifarresnetv2');
    const n = (depth - 2) / 6;
    if (!Number.isInteger(n)) throw new RangeError(`CIFAR ResNet depth must be 6n+2, got ${depth}`);
    const channels = [16, 16, 32, 64];
    [this.features, this.output] = this.nameScope(() => {
      const f = this.registerChild('features', new HybridSequential({ prefix: '' }));
      if (version === 2) f.add(new BatchNorm({ scale: false, center: false }));
      f.add(new Conv2D({ channels: 16, kernelSize: 3, strides: 1, padding: 1, useBias: false }));
      if (version === 1) f.add(new BatchNorm());
      for (let i = 0; i < 3; i++) f.add(makeStage(version === 1 ? BasicBlockV1 : CIFARBasicBlockV2, n, channels[i + 1]!, i === 0 ? 1 : 2, i + 1, channels[i]!));
      if (version === 2) f.add(new BatchNorm(), new Activation('relu'));
      f.add(new GlobalAvgPool2D());
      if (version === 2) f.add(new Flatten());
      return [f, this.registerChild('output', new Dense({ units: o.classes ?? 10, inUnits: 64 }))] as const;
    });
  }

  forward(F: Symbolic, x: Sym): Sym {
    return this.output.forward(F, this.features.forward(F, x));
  }
}

/** ResNeXt bottleneck: 1×1, grouped 3×3 (cardinality groups), 1×1 to 4·channels; always a projection shortcut on the first block. */
export class CIFARResNextBlock extends HybridBlock {
  readonly body: HybridSequential;
  readonly downsample: HybridSequential | undefined;

  constructor(channels: number, cardinality: number, bottleneckWidth: number, stride: number, downsample: boolean, o: BlockOptions = {}) {
    super(o);
    const groupWidth = cardinality * Math.floor(channels * (bottleneckWidth / 64));
    this.body = this.registerChild('body', new HybridSequential({ prefix: '' }));
    this.body.add(
      new Conv2D({ channels: groupWidth, kernelSize: 1, useBias: false }), new BatchNorm(), new Activation('relu'),
      new Conv2D({ channels: groupWidth, kernelSize: 3, strides: stride, padding: 1, groups: cardinality, useBias: false }), new BatchNorm(), new Activation('relu'),
      new Conv2D({ channels: channels * 4, kernelSize: 1, useBias: false }), new BatchNorm(),
    );
    this.downsample = downsample ? this.registerChild('downsample', new HybridSequential({ prefix: '' })) : undefined;
    this.downsample?.add(new Conv2D({ channels: channels * 4, kernelSize: 1, strides: stride, useBias: false }), new BatchNorm());
  }

  protected override alias(): string {
    return 'cifarblock';
  }

  forward(F: Symbolic, x: Sym): Sym {
    const residual = this.downsample ? this.downsample.forward(F, x) : x;
    return F.activation(F.add(this.body.forward(F, x), residual), 'relu');
  }
}

export class CIFARResNext extends HybridBlock {
  readonly features: HybridSequential;
  readonly output: Dense;

  constructor(depth: number, cardinality: number, bottleneckWidth: number, o: BlockOptions & { classes?: number } = {}) {
    super(o);
    const n = (depth - 2) / 9;
    if (!Number.isInteger(n)) throw new RangeError(`CIFAR ResNeXt depth must be 9n+2, got ${depth}`);
    [this.features, this.output] = this.nameScope(() => {
      const f = this.registerChild('features', new HybridSequential({ prefix: '' }));
      f.add(new Conv2D({ channels: 64, kernelSize: 3, strides: 1, padding: 1, useBias: false }), new BatchNorm(), new Activation('relu'));
      let channels = 64;
      for (let i = 0; i < 3; i++) {
        const stage = new HybridSequential({ prefix: `stage${i + 1}_` });
        const c = channels;
        stage.scoped(() => {
          stage.add(new CIFARResNextBlock(c, cardinality, bottleneckWidth, i === 0 ? 1 : 2, true, { prefix: '' }));
          for (let k = 1; k < n; k++) stage.add(new CIFARResNextBlock(c, cardinality, bottleneckWidth, 1, false, { prefix: '' }));
        });
        f.add(stage);
        channels *= 2;
      }
      f.add(new GlobalAvgPool2D());
      return [f, this.registerChild('output', new Dense({ units: o.classes ?? 10 }))] as const;
    });
  }

  protected override alias(): string {
    return 'cifarresnext';
  }

  forward(F: Symbolic, x: Sym): Sym {
    return this.output.forward(F, this.features.forward(F, x));
  }
}
