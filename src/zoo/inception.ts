// Inception v3 as in mxnet/gluon/model_zoo/vision/inception.py (MXNet 1.x naming: A1_, B_, C1_… mixes).
import { HybridBlock, HybridConcurrent, HybridSequential, type BlockOptions } from '../nn/block.js';
import { Activation, BatchNorm, Dense, Dropout } from '../nn/layers/basic.js';
import { Conv2D } from '../nn/layers/conv.js';
import { AvgPool2D, MaxPool2D } from '../nn/layers/pool.js';
import type { Sym, Symbolic } from '../nn/symbol.js';

type K = number | [number, number];
/** channels, kernel, strides, padding (undefined: Gluon's default). */
type ConvSetting = [number, K, number | undefined, K | undefined];

function basicConv(channels: number, kernelSize: K, strides?: number, padding?: K): HybridSequential {
  return new HybridSequential({ prefix: '' }).add(
    new Conv2D({ channels, kernelSize, ...(strides !== undefined ? { strides } : {}), ...(padding !== undefined ? { padding } : {}), useBias: false }),
    new BatchNorm({ epsilon: 0.001 }),
    new Activation('relu'),
  );
}

function branch(pool: 'avg' | 'max' | undefined, ...convs: ConvSetting[]): HybridSequential {
  const out = new HybridSequential({ prefix: '' });
  if (pool === 'avg') out.add(new AvgPool2D({ poolSize: 3, strides: 1, padding: 1 }));
  if (pool === 'max') out.add(new MaxPool2D({ poolSize: 3, strides: 2 }));
  for (const [c, k, s, p] of convs) out.add(basicConv(c, k, s, p));
  return out;
}

function mix(prefix: string, build: (out: HybridConcurrent) => void): HybridConcurrent {
  const out = new HybridConcurrent({ axis: 1, prefix });
  out.scoped(() => build(out));
  return out;
}

const U = undefined;
const makeA = (poolFeatures: number, prefix: string) => mix(prefix, (o) => o.add(
  branch(U, [64, 1, U, U]),
  branch(U, [48, 1, U, U], [64, 5, U, 2]),
  branch(U, [64, 1, U, U], [96, 3, U, 1], [96, 3, U, 1]),
  branch('avg', [poolFeatures, 1, U, U]),
));
const makeB = (prefix: string) => mix(prefix, (o) => o.add(
  branch(U, [384, 3, 2, U]),
  branch(U, [64, 1, U, U], [96, 3, U, 1], [96, 3, 2, U]),
  branch('max'),
));
const makeC = (c7: number, prefix: string) => mix(prefix, (o) => o.add(
  branch(U, [192, 1, U, U]),
  branch(U, [c7, 1, U, U], [c7, [1, 7], U, [0, 3]], [192, [7, 1], U, [3, 0]]),
  branch(U, [c7, 1, U, U], [c7, [7, 1], U, [3, 0]], [c7, [1, 7], U, [0, 3]], [c7, [7, 1], U, [3, 0]], [192, [1, 7], U, [0, 3]]),
  branch('avg', [192, 1, U, U]),
));
const makeD = (prefix: string) => mix(prefix, (o) => o.add(
  branch(U, [192, 1, U, U], [320, 3, 2, U]),
  branch(U, [192, 1, U, U], [192, [1, 7], U, [0, 3]], [192, [7, 1], U, [3, 0]], [192, 3, 2, U]),
  branch('max'),
));
const makeE = (prefix: string) => mix(prefix, (o) => {
  o.add(branch(U, [320, 1, U, U]));
  const b3 = new HybridSequential({ prefix: '' });
  o.add(b3);
  b3.add(branch(U, [384, 1, U, U]));
  b3.add(new HybridConcurrent({ axis: 1, prefix: '' }).add(branch(U, [384, [1, 3], U, [0, 1]]), branch(U, [384, [3, 1], U, [1, 0]])));
  const b3dbl = new HybridSequential({ prefix: '' });
  o.add(b3dbl);
  b3dbl.add(branch(U, [448, 1, U, U], [384, 3, U, 1]));
  b3dbl.add(new HybridConcurrent({ axis: 1, prefix: '' }).add(branch(U, [384, [1, 3], U, [0, 1]]), branch(U, [384, [3, 1], U, [1, 0]])));
  o.add(branch('avg', [192, 1, U, U]));
});

/** Inception v3; the final AvgPool2D(8) assumes 299×299 inputs. */
export class Inception3 extends HybridBlock {
  readonly features: HybridSequential;
  readonly output: Dense;

  constructor(o: BlockOptions & { classes?: number } = {}) {
    super(o);
    [this.features, this.output] = this.nameScope(() => {
      const f = this.registerChild('features', new HybridSequential({ prefix: '' }));
      f.add(basicConv(32, 3, 2), basicConv(32, 3), basicConv(64, 3, U, 1), new MaxPool2D({ poolSize: 3, strides: 2 }));
      f.add(basicConv(80, 1), basicConv(192, 3), new MaxPool2D({ poolSize: 3, strides: 2 }));
      f.add(makeA(32, 'A1_'), makeA(64, 'A2_'), makeA(64, 'A3_'), makeB('B_'));
      f.add(makeC(128, 'C1_'), makeC(160, 'C2_'), makeC(160, 'C3_'), makeC(192, 'C4_'), makeD('D_'), makeE('E1_'), makeE('E2_'));
      f.add(new AvgPool2D({ poolSize: 8 }), new Dropout(0.5));
      return [f, this.registerChild('output', new Dense({ units: o.classes ?? 1000 }))] as const;
    });
  }

  protected override alias(): string {
    return 'inception3';
  }

  forward(F: Symbolic, x: Sym): Sym {
    return this.output.forward(F, this.features.forward(F, x));
  }
}
