// Where the zoo's Gluon architectures and torchvision's differ, and what the torchvision check does
// about each difference:
// * ResNet v1 bottlenecks (50/101/152): Gluon strides the first 1×1 conv, torchvision (like GluonCV's
//   v1b) the 3×3. Not equivalent, so the check cannot paper over it: 'resnet50_v1' is expected to
//   differ, and the check-only target 'resnet50_v1+stride3x3' (Gluon's v1 with the stride moved)
//   is the otherwise equal architecture. Gluon's 1×1 bottleneck convs also carry a bias torchvision's
//   lack; with a BatchNorm right after, a bias only shifts its mean (the check sets it to zero).
// * MobileNetV2: Gluon's first bottleneck (expansion t = 1) keeps a 1×1 conv + BN + ReLU6 that
//   torchvision leaves out; set to the identity it computes nothing, exactly, because its input
//   already passed a ReLU6. Gluon's classifier is a bias-free 1×1 conv where torchvision has a Linear
//   whose bias it initializes to zero: equal for torchvision's initialization, not once trained.
// * AlexNet, VGG, DenseNet: torchvision pools adaptively (to 6×6, 7×7, 1×1) before the classifier;
//   the zoo pools with fixed windows (or not at all). The same at 224×224 inputs only. SqueezeNet:
//   Gluon's AvgPool2D(13) equals torchvision's global pooling at 224×224.
import { UsageError } from '../errors.js';
import { HybridBlock, type BlockOptions } from '../nn/block.js';
import { Conv2D } from '../nn/layers/conv.js';
import { AlexNet, SqueezeNet, VGG } from './classic.js';
import { DenseNet } from './densenet.js';
import { LinearBottleneck, MobileNetV2 } from './mobilenet.js';
import { BottleneckV1, ResNetV1, type ResBlockArgs } from './resnet.js';
import { get_model } from './vision.js';

/** Gluon's BottleneckV1 (same layers, names and biases) with the stride on the 3×3 conv, as torchvision has it. */
export class BottleneckV1StrideOn3x3 extends BottleneckV1 {
  constructor(a: ResBlockArgs, o: BlockOptions = {}) {
    super(a, o, true);
  }

  protected override alias(): string {
    return 'bottleneckv1';
  }
}

const BOTTLENECK_LAYERS: Record<string, number[]> = { '50': [3, 4, 6, 3], '101': [3, 4, 23, 3], '152': [3, 8, 36, 3] };

/** The check-only targets beside the zoo's own names. */
export const CHECK_VARIANTS = Object.keys(BOTTLENECK_LAYERS).map((d) => `resnet${d}_v1+stride3x3`);

/** A zoo net to check, the convs to set to the identity once its shapes are known, and what to tell the reader. */
export interface CheckTarget {
  net: HybridBlock;
  /** Convs torchvision does not have that compute nothing when set to the identity. */
  identityConvs(): Set<Conv2D>;
  notes: string[];
}

function mobilenetV2IdentityConvs(net: HybridBlock): Set<Conv2D> {
  const out = new Set<Conv2D>();
  const walk = (b: HybridBlock): void => {
    if (b instanceof LinearBottleneck) {
      const expand = b.out.childBlocks().get('0');
      // expansion t = 1: a square 1×1 conv (torchvision's InvertedResidual has none)
      if (expand instanceof Conv2D && expand.weight.shape[0] === expand.weight.shape[1]) out.add(expand);
    }
    for (const c of b.childBlocks().values()) walk(c);
  };
  walk(net);
  return out;
}

/** Builds the net for a zoo name (vision.*) or a check variant, with what the check must know about it. */
export function checkTarget(name: string): CheckTarget {
  const m = /^resnet(\d+)_v1\+stride3x3$/.exec(name);
  if (m) {
    const layers = BOTTLENECK_LAYERS[m[1]!];
    if (!layers) throw new UsageError(`unknown check variant '${name}'`, { hint: `variants: ${CHECK_VARIANTS.join(', ')}` });
    return {
      net: new ResNetV1(BottleneckV1StrideOn3x3, layers, [64, 256, 512, 1024, 2048]),
      identityConvs: () => new Set(),
      notes: [`Gluon's resnet${m[1]}_v1 with the bottleneck stride moved from the first 1×1 conv to the 3×3 (torchvision's placement); its 1×1 conv biases are set to zero`],
    };
  }
  const net = get_model(name);
  const notes: string[] = [];
  let identityConvs = () => new Set<Conv2D>();
  if (/^resnet(50|101|152)_v1$/.test(name.toLowerCase())) {
    notes.push(`Gluon's v1 bottleneck strides its first 1×1 conv, torchvision's its 3×3: a mismatch is expected; '${name}+stride3x3' checks the otherwise equal architecture`);
  }
  if (net instanceof MobileNetV2) {
    identityConvs = () => mobilenetV2IdentityConvs(net);
    notes.push('Gluon\'s first bottleneck (t = 1) has a 1×1 expansion conv torchvision lacks: set to the identity (exact: its input already passed a ReLU6)');
  }
  if (net instanceof AlexNet || net instanceof VGG || net instanceof DenseNet || net instanceof SqueezeNet) {
    notes.push('torchvision pools adaptively before the classifier, the zoo with fixed windows: equal at 224×224 inputs');
  }
  return { net, identityConvs, notes };
}
