// MobileNet v1 and v2 as in mxnet/gluon/model_zoo/vision/mobilenet.py (MXNet 1.x).
import { HybridBlock, HybridSequential, type BlockOptions } from '../nn/block.js';
import { Activation, BatchNorm, Flatten, Dense } from '../nn/layers/basic.js';
import { Conv2D } from '../nn/layers/conv.js';
import { GlobalAvgPool2D } from '../nn/layers/pool.js';
import type { Sym, Symbolic } from '../nn/symbol.js';
import { Tensor } from '../tensor/tensor.js';

/** min(max(x, 0), 6), the activation of MobileNetV2. */
export class ReLU6 extends HybridBlock {
  protected override alias(): string {
    return 'relu6';
  }

  forward(F: Symbolic, x: Sym): Sym {
    const bound = (v: number, n: string) => F.constant(`${this.prefix}${n}`, Tensor.scalar('float32', v));
    return F.op('Clip', [x, bound(0, 'min'), bound(6, 'max')], {}, `${this.prefix}fwd`);
  }
}

type Act = 'relu' | 'relu6' | 'none';

function addConv(out: HybridSequential, channels: number, kernel = 1, stride = 1, pad = 0, groups = 1, act: Act = 'relu'): void {
  out.add(new Conv2D({ channels, kernelSize: kernel, strides: stride, padding: pad, groups, useBias: false }), new BatchNorm({ scale: true }));
  if (act !== 'none') out.add(act === 'relu6' ? new ReLU6() : new Activation('relu'));
}

export interface MobileNetOptions extends BlockOptions {
  classes?: number;
}

export class MobileNet extends HybridBlock {
  readonly features: HybridSequential;
  readonly output: Dense;

  constructor(multiplier = 1.0, o: MobileNetOptions = {}) {
    super(o);
    const m = (xs: number[]) => xs.map((x) => Math.trunc(x * multiplier));
    [this.features, this.output] = this.nameScope(() => {
      const f = this.registerChild('features', new HybridSequential({ prefix: '' }));
      f.scoped(() => {
        addConv(f, Math.trunc(32 * multiplier), 3, 2, 1);
        const dw = m([32, 64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024]);
        const ch = m([64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024]);
        const strides = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1];
        dw.forEach((d, i) => {
          addConv(f, d, 3, strides[i]!, 1, d);
          addConv(f, ch[i]!);
        });
        f.add(new GlobalAvgPool2D(), new Flatten());
      });
      return [f, this.registerChild('output', new Dense({ units: o.classes ?? 1000 }))] as const;
    });
  }

  protected override alias(): string {
    return 'mobilenet';
  }

  forward(F: Symbolic, x: Sym): Sym {
    return this.output.forward(F, this.features.forward(F, x));
  }
}

/** MobileNetV2's inverted residual: 1×1 expand, 3×3 depthwise, linear 1×1 project (+ input when shapes allow). */
export class LinearBottleneck extends HybridBlock {
  readonly out: HybridSequential;
  readonly useShortcut: boolean;

  constructor(inChannels: number, channels: number, t: number, stride: number, o: BlockOptions = {}) {
    super(o);
    this.useShortcut = stride === 1 && inChannels === channels;
    this.out = this.nameScope(() => {
      const out = this.registerChild('out', new HybridSequential());
      addConv(out, inChannels * t, 1, 1, 0, 1, 'relu6');
      addConv(out, inChannels * t, 3, stride, 1, inChannels * t, 'relu6');
      addConv(out, channels, 1, 1, 0, 1, 'none');
      return out;
    });
  }

  protected override alias(): string {
    return 'linearbottleneck';
  }

  forward(F: Symbolic, x: Sym): Sym {
    const y = this.out.forward(F, x);
    return this.useShortcut ? F.add(y, x) : y;
  }
}

export class MobileNetV2 extends HybridBlock {
  readonly features: HybridSequential;
  readonly output: HybridSequential;

  constructor(multiplier = 1.0, o: MobileNetOptions = {}) {
    super(o);
    const m = (xs: number[]) => xs.map((x) => Math.trunc(x * multiplier));
    [this.features, this.output] = this.nameScope(() => {
      const f = this.registerChild('features', new HybridSequential({ prefix: 'features_' }));
      f.scoped(() => {
        addConv(f, Math.trunc(32 * multiplier), 3, 2, 1, 1, 'relu6');
        const inC = m([32, 16, 24, 24, 32, 32, 32, 64, 64, 64, 64, 96, 96, 96, 160, 160, 160]);
        const ch = m([16, 24, 24, 32, 32, 32, 64, 64, 64, 64, 96, 96, 96, 160, 160, 160, 320]);
        const strides = [1, 2, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1];
        inC.forEach((c, i) => f.add(new LinearBottleneck(c, ch[i]!, i === 0 ? 1 : 6, strides[i]!)));
        addConv(f, multiplier > 1 ? Math.trunc(1280 * multiplier) : 1280, 1, 1, 0, 1, 'relu6');
        f.add(new GlobalAvgPool2D());
      });
      const out = this.registerChild('output', new HybridSequential({ prefix: 'output_' }));
      out.scoped(() => out.add(new Conv2D({ channels: o.classes ?? 1000, kernelSize: 1, useBias: false, prefix: 'pred_' }), new Flatten({ prefix: 'flat_' })));
      return [f, out] as const;
    });
  }

  protected override alias(): string {
    return 'mobilenetv2';
  }

  forward(F: Symbolic, x: Sym): Sym {
    return this.output.forward(F, this.features.forward(F, x));
  }
}
