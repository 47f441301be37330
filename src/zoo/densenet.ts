// DenseNet-BC as in mxnet/gluon/model_zoo/vision/densenet.py (MXNet 1.x naming: stage<i>_ blocks).
import { HybridBlock, HybridConcurrent, HybridSequential, Identity, type BlockOptions } from '../nn/block.js';
import { Activation, BatchNorm, Dense, Dropout, Flatten } from '../nn/layers/basic.js';
import { Conv2D } from '../nn/layers/conv.js';
import { AvgPool2D, MaxPool2D } from '../nn/layers/pool.js';
import type { Sym, Symbolic } from '../nn/symbol.js';

function denseLayer(growthRate: number, bnSize: number, dropout: number): HybridConcurrent {
  const f = new HybridSequential({ prefix: '' });
  f.add(new BatchNorm(), new Activation('relu'), new Conv2D({ channels: bnSize * growthRate, kernelSize: 1, useBias: false }));
  f.add(new BatchNorm(), new Activation('relu'), new Conv2D({ channels: growthRate, kernelSize: 3, padding: 1, useBias: false }));
  if (dropout) f.add(new Dropout(dropout));
  return new HybridConcurrent({ axis: 1, prefix: '' }).add(new Identity(), f);
}

function denseBlock(layers: number, bnSize: number, growthRate: number, dropout: number, stage: number): HybridSequential {
  const out = new HybridSequential({ prefix: `stage${stage}_` });
  out.scoped(() => {
    for (let i = 0; i < layers; i++) out.add(denseLayer(growthRate, bnSize, dropout));
  });
  return out;
}

function transition(channels: number): HybridSequential {
  return new HybridSequential({ prefix: '' }).add(
    new BatchNorm(), new Activation('relu'), new Conv2D({ channels, kernelSize: 1, useBias: false }), new AvgPool2D({ poolSize: 2, strides: 2 }),
  );
}

const SPEC: Record<number, [init: number, growth: number, blocks: number[]]> = {
  121: [64, 32, [6, 12, 24, 16]],
  161: [96, 48, [6, 12, 36, 24]],
  169: [64, 32, [6, 12, 32, 32]],
  201: [64, 32, [6, 12, 48, 32]],
};
export const DENSENET_DEPTHS = Object.keys(SPEC).map(Number);

/** Its final AvgPool2D(7) assumes 224×224 inputs. */
export class DenseNet extends HybridBlock {
  readonly features: HybridSequential;
  readonly output: Dense;

  constructor(depth: number, o: BlockOptions & { classes?: number; bnSize?: number; dropout?: number } = {}) {
    super(o);
    const [initFeatures, growth, blocks] = SPEC[depth]!;
    [this.features, this.output] = this.nameScope(() => {
      const f = this.registerChild('features', new HybridSequential({ prefix: '' }));
      f.add(new Conv2D({ channels: initFeatures, kernelSize: 7, strides: 2, padding: 3, useBias: false }), new BatchNorm(), new Activation('relu'));
      f.add(new MaxPool2D({ poolSize: 3, strides: 2, padding: 1 }));
      let n = initFeatures;
      blocks.forEach((layers, i) => {
        f.add(denseBlock(layers, o.bnSize ?? 4, growth, o.dropout ?? 0, i + 1));
        n += layers * growth;
        if (i !== blocks.length - 1) {
          n = Math.trunc(n / 2);
          f.add(transition(n));
        }
      });
      f.add(new BatchNorm(), new Activation('relu'), new AvgPool2D({ poolSize: 7 }), new Flatten());
      return [f, this.registerChild('output', new Dense({ units: o.classes ?? 1000 }))] as const;
    });
  }

  protected override alias(): string {
    return 'densenet';
  }

  forward(F: Symbolic, x: Sym): Sym {
    return this.output.forward(F, this.features.forward(F, x));
  }
}
