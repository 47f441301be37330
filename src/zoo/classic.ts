// AlexNet, VGG and SqueezeNet as in mxnet/gluon/model_zoo/vision (alexnet.py, vgg.py, squeezenet.py).
import { HybridBlock, HybridConcurrent, HybridSequential, type BlockOptions } from '../nn/block.js';
import { init } from '../nn/init.js';
import { Activation, BatchNorm, Dense, Dropout, Flatten } from '../nn/layers/basic.js';
import { Conv2D } from '../nn/layers/conv.js';
import { AvgPool2D, MaxPool2D } from '../nn/layers/pool.js';
import type { Sym, Symbolic } from '../nn/symbol.js';

export interface ClassifierOptions extends BlockOptions {
  classes?: number;
}

/** A net of two sequential parts: features, then the classifier. */
abstract class TwoPart extends HybridBlock {
  abstract readonly features: HybridSequential;
  abstract readonly classifier: HybridSequential;

  forward(F: Symbolic, x: Sym): Sym {
    return this.classifier.forward(F, this.features.forward(F, x));
  }
}

export class AlexNet extends TwoPart {
  readonly features: HybridSequential;
  readonly classifier: HybridSequential;

  constructor(o: ClassifierOptions = {}) {
    super(o);
    [this.features, this.classifier] = this.nameScope(() => {
      const f = this.registerChild('features', new HybridSequential());
      f.scoped(() => f.add(
        new Conv2D({ channels: 64, kernelSize: 11, strides: 4, padding: 2 }), new Activation('relu'), new MaxPool2D({ poolSize: 3, strides: 2 }),
        new Conv2D({ channels: 192, kernelSize: 5, padding: 2 }), new Activation('relu'), new MaxPool2D({ poolSize: 3, strides: 2 }),
        new Conv2D({ channels: 384, kernelSize: 3, padding: 1 }), new Activation('relu'),
        new Conv2D({ channels: 256, kernelSize: 3, padding: 1 }), new Activation('relu'),
        new Conv2D({ channels: 256, kernelSize: 3, padding: 1 }), new Activation('relu'), new MaxPool2D({ poolSize: 3, strides: 2 }),
        new Flatten(),
      ));
      const c = this.registerChild('classifier', new HybridSequential());
      c.scoped(() => c.add(
        new Dropout(0.5), new Dense({ units: 4096, activation: 'relu' }),
        new Dropout(0.5), new Dense({ units: 4096, activation: 'relu' }),
        new Dense({ units: o.classes ?? 1000 }),
      ));
      return [f, c] as const;
    });
  }

  protected override alias(): string {
    return 'alexnet';
  }
}

const VGG_SPEC: Record<number, [layers: number[], filters: number[]]> = {
  11: [[1, 1, 2, 2, 2], [64, 128, 256, 512, 512]],
  13: [[2, 2, 2, 2, 2], [64, 128, 256, 512, 512]],
  16: [[2, 2, 3, 3, 3], [64, 128, 256, 512, 512]],
  19: [[2, 2, 4, 4, 4], [64, 128, 256, 512, 512]],
};
export const VGG_DEPTHS = Object.keys(VGG_SPEC).map(Number);

export class VGG extends TwoPart {
  readonly features: HybridSequential;
  readonly classifier: HybridSequential;

  constructor(depth: number, o: ClassifierOptions & { batchNorm?: boolean } = {}) {
    super(o);
    const [layers, filters] = VGG_SPEC[depth]!;
    [this.features, this.classifier] = this.nameScope(() => {
      const f = this.registerChild('features', new HybridSequential({ prefix: '' }));
      layers.forEach((n, i) => {
        for (let k = 0; k < n; k++) {
          f.add(new Conv2D({
            channels: filters[i]!, kernelSize: 3, padding: 1,
            weightInitializer: init.xavier({ rndType: 'gaussian', factorType: 'out', magnitude: 2 }), biasInitializer: init.zeros(),
          }));
          if (o.batchNorm) f.add(new BatchNorm());
          f.add(new Activation('relu'));
        }
        f.add(new MaxPool2D({ strides: 2 }));
      });
      const dense = (units: number, relu: boolean) =>
        new Dense({ units, ...(relu ? { activation: 'relu' as const } : {}), weightInitializer: init.normal(), biasInitializer: init.zeros() });
      const c = this.registerChild('classifier', new HybridSequential({ prefix: '' }));
      c.add(dense(4096, true), new Dropout(0.5), dense(4096, true), new Dropout(0.5), dense(o.classes ?? 1000, false));
      return [f, c] as const;
    });
  }

  protected override alias(): string {
    return 'vgg';
  }
}

const fireConv = (channels: number, kernelSize: number, padding = 0) =>
  new HybridSequential({ prefix: '' }).add(new Conv2D({ channels, kernelSize, padding }), new Activation('relu'));

function fire(squeeze: number, expand1x1: number, expand3x3: number): HybridSequential {
  const paths = new HybridConcurrent({ axis: 1, prefix: '' }).add(fireConv(expand1x1, 1), fireConv(expand3x3, 3, 1));
  return new HybridSequential({ prefix: '' }).add(fireConv(squeeze, 1), paths);
}

/** SqueezeNet 1.0 / 1.1. Its AvgPool2D(13) assumes 224×224 inputs (torchvision pools globally instead). */
export class SqueezeNet extends TwoPart {
  readonly features: HybridSequential;
  readonly classifier: HybridSequential;

  constructor(version: '1.0' | '1.1', o: ClassifierOptions = {}) {
    super(o);
    const pool = () => new MaxPool2D({ poolSize: 3, strides: 2, ceilMode: true });
    [this.features, this.classifier] = this.nameScope(() => {
      const f = this.registerChild('features', new HybridSequential());
      f.scoped(() => {
        if (version === '1.0') {
          f.add(new Conv2D({ channels: 96, kernelSize: 7, strides: 2 }), new Activation('relu'), pool());
          f.add(fire(16, 64, 64), fire(16, 64, 64), fire(32, 128, 128), pool());
          f.add(fire(32, 128, 128), fire(48, 192, 192), fire(48, 192, 192), fire(64, 256, 256), pool(), fire(64, 256, 256));
        } else {
          f.add(new Conv2D({ channels: 64, kernelSize: 3, strides: 2 }), new Activation('relu'), pool());
          f.add(fire(16, 64, 64), fire(16, 64, 64), pool(), fire(32, 128, 128), fire(32, 128, 128), pool());
          f.add(fire(48, 192, 192), fire(48, 192, 192), fire(64, 256, 256), fire(64, 256, 256));
        }
      });
      const c = this.registerChild('classifier', new HybridSequential());
      c.scoped(() => c.add(new Dropout(0.5), new Conv2D({ channels: o.classes ?? 1000, kernelSize: 1 }), new Activation('relu'), new AvgPool2D({ poolSize: 13 }), new Flatten()));
      return [f, c] as const;
    });
  }

  protected override alias(): string {
    return 'squeezenet';
  }
}
