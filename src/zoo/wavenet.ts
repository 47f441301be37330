// A WaveNet: stacks of dilated causal 1-D convolutions with gated activations (tanh × sigmoid),
// residual connections and summed skip outputs, then ReLU → 1×1 → ReLU → 1×1 to class scores per step.
// Causality: each dilated conv pads both sides by dilation·(k−1) and the trailing steps are cut off.
import { HybridBlock, HybridSequential, type BlockOptions } from '../nn/block.js';
import { Conv1D } from '../nn/layers/conv.js';
import type { Sym, Symbolic } from '../nn/symbol.js';

export interface WaveNetOptions extends BlockOptions {
  /** Input channels (e.g. 256 one-hot μ-law levels) and output classes per step. */
  inChannels?: number;
  classes?: number;
  residualChannels?: number;
  skipChannels?: number;
  kernelSize?: number;
  /** Dilations of one stack; `stacks` repeats them. */
  dilations?: number[];
  stacks?: number;
}

export class WaveNetResidual extends HybridBlock {
  readonly filter: Conv1D;
  readonly gate: Conv1D;
  readonly residual: Conv1D;
  readonly skip: Conv1D;

  constructor(readonly dilation: number, readonly kernelSize: number, residualChannels: number, skipChannels: number, o: BlockOptions = {}) {
    super(o);
    const causal = { kernelSize, dilation, padding: dilation * (kernelSize - 1), inChannels: residualChannels };
    [this.filter, this.gate, this.residual, this.skip] = this.nameScope(() => [
      this.registerChild('filter', new Conv1D({ channels: residualChannels, ...causal })),
      this.registerChild('gate', new Conv1D({ channels: residualChannels, ...causal })),
      this.registerChild('residual', new Conv1D({ channels: residualChannels, kernelSize: 1, inChannels: residualChannels })),
      this.registerChild('skip', new Conv1D({ channels: skipChannels, kernelSize: 1, inChannels: residualChannels })),
    ] as const);
  }

  protected override alias(): string {
    return 'residual';
  }

  /** Returns [x + residual, skip]; call through `forwardPair`. */
  forwardPair(F: Symbolic, x: Sym): [Sym, Sym] {
    const cut = this.dilation * (this.kernelSize - 1);
    const causal = (conv: Conv1D) => F.sliceAxis(conv.forward(F, x), 2, 0, -cut, `${conv.prefix}causal`);
    const gated = F.mul(F.activation(causal(this.filter), 'tanh'), F.activation(causal(this.gate), 'sigmoid'), `${this.prefix}gated`);
    return [F.add(x, this.residual.forward(F, gated), `${this.prefix}out`), this.skip.forward(F, gated)];
  }

  forward(F: Symbolic, x: Sym): Sym {
    return this.forwardPair(F, x)[0];
  }
}

export class WaveNet extends HybridBlock {
  readonly input: Conv1D;
  readonly blocks: HybridSequential;
  readonly post: HybridSequential;

  constructor(o: WaveNetOptions = {}) {
    super(o);
    const res = o.residualChannels ?? 32;
    const skip = o.skipChannels ?? 64;
    const k = o.kernelSize ?? 2;
    const dilations = Array.from({ length: o.stacks ?? 2 }, () => o.dilations ?? [1, 2, 4, 8, 16]).flat();
    [this.input, this.blocks, this.post] = this.nameScope(() => {
      const input = this.registerChild('input', new Conv1D({ channels: res, kernelSize: 1, inChannels: o.inChannels ?? 256 }));
      const blocks = this.registerChild('blocks', new HybridSequential({ prefix: '' }));
      for (const d of dilations) blocks.add(new WaveNetResidual(d, k, res, skip));
      const post = this.registerChild('post', new HybridSequential({ prefix: '' }));
      post.add(new Conv1D({ channels: skip, kernelSize: 1, activation: 'relu', inChannels: skip }));
      post.add(new Conv1D({ channels: o.classes ?? 256, kernelSize: 1, inChannels: skip }));
      return [input, blocks, post] as const;
    });
  }

  protected override alias(): string {
    return 'wavenet';
  }

  forward(F: Symbolic, x: Sym): Sym {
    let h = this.input.forward(F, x);
    let skips: Sym | undefined;
    for (const b of this.blocks.childBlocks().values()) {
      const [next, s] = (b as WaveNetResidual).forwardPair(F, h);
      h = next;
      skips = skips ? F.add(skips, s) : s;
    }
    return this.post.forward(F, F.activation(skips!, 'relu'));
  }
}
