// Gluon's model-zoo entry points under their Gluon names: vision.resnet18_v2({ pretrained, classes }).
import { UsageError } from '../errors.js';
import type { HybridBlock } from '../nn/block.js';
import { AlexNet, SqueezeNet, VGG } from './classic.js';
import { CIFARResNet, CIFARResNext } from './cifar.js';
import { DenseNet } from './densenet.js';
import { Inception3 } from './inception.js';
import { MobileNet, MobileNetV2 } from './mobilenet.js';
import { pretrainedBytes, type PretrainedOptions } from './model-store.js';
import { buildResNet } from './resnet.js';
import { WaveNet, type WaveNetOptions } from './wavenet.js';

export interface ZooOptions extends PretrainedOptions {
  classes?: number;
  /** Block prefix (default: Gluon's counted class name, e.g. 'resnetv20_'). */
  prefix?: string;
}

/** Builds a net and, when asked, loads its weights (storeName: the model store's name for them). */
function make<B extends HybridBlock>(storeName: string | undefined, o: ZooOptions, build: () => B): B {
  const net = build();
  if (o.pretrained) {
    if (!storeName && o.pretrained === true) {
      throw new UsageError('this model has no published pretrained weights', { hint: 'pass the weights as bytes or a path in `pretrained`' });
    }
    net.loadParameters(pretrainedBytes(storeName ?? 'model', o), { source: typeof o.pretrained === 'string' ? o.pretrained : storeName });
  }
  return net;
}

const common = (o: ZooOptions) => ({ ...(o.classes !== undefined ? { classes: o.classes } : {}), ...(o.prefix !== undefined ? { prefix: o.prefix } : {}) });
const resnet = (v: 1 | 2, d: number) => (o: ZooOptions = {}) => make(`resnet${d}_v${v}`, o, () => buildResNet(v, d, common(o)));
const vgg = (d: number, bn: boolean) => (o: ZooOptions = {}) => make(`vgg${d}${bn ? '_bn' : ''}`, o, () => new VGG(d, { ...common(o), batchNorm: bn }));
const densenet = (d: number) => (o: ZooOptions = {}) => make(`densenet${d}`, o, () => new DenseNet(d, common(o)));
// MXNet's store names: mobilenet1.0, mobilenet0.75, mobilenetv2_0.5 ...
const mult = (m: number) => (m === 1 || m === 0.5 ? m.toFixed(1) : m.toFixed(2));
const mobilenet = (m: number) => (o: ZooOptions = {}) => make(`mobilenet${mult(m)}`, o, () => new MobileNet(m, common(o)));
const mobilenetV2 = (m: number) => (o: ZooOptions = {}) => make(`mobilenetv2_${mult(m)}`, o, () => new MobileNetV2(m, common(o)));
const cifarResnet = (v: 1 | 2, d: number) => (o: ZooOptions = {}) => make(undefined, o, () => new CIFARResNet(v, d, common(o)));

export const vision = {
  resnet18_v1: resnet(1, 18), resnet34_v1: resnet(1, 34), resnet50_v1: resnet(1, 50), resnet101_v1: resnet(1, 101), resnet152_v1: resnet(1, 152),
  resnet18_v2: resnet(2, 18), resnet34_v2: resnet(2, 34), resnet50_v2: resnet(2, 50), resnet101_v2: resnet(2, 101), resnet152_v2: resnet(2, 152),
  alexnet: (o: ZooOptions = {}) => make('alexnet', o, () => new AlexNet(common(o))),
  vgg11: vgg(11, false), vgg13: vgg(13, false), vgg16: vgg(16, false), vgg19: vgg(19, false),
  vgg11_bn: vgg(11, true), vgg13_bn: vgg(13, true), vgg16_bn: vgg(16, true), vgg19_bn: vgg(19, true),
  mobilenet1_0: mobilenet(1), mobilenet0_75: mobilenet(0.75), mobilenet0_5: mobilenet(0.5), mobilenet0_25: mobilenet(0.25),
  mobilenet_v2_1_0: mobilenetV2(1), mobilenet_v2_0_75: mobilenetV2(0.75), mobilenet_v2_0_5: mobilenetV2(0.5), mobilenet_v2_0_25: mobilenetV2(0.25),
  squeezenet1_0: (o: ZooOptions = {}) => make('squeezenet1.0', o, () => new SqueezeNet('1.0', common(o))),
  squeezenet1_1: (o: ZooOptions = {}) => make('squeezenet1.1', o, () => new SqueezeNet('1.1', common(o))),
  densenet121: densenet(121), densenet161: densenet(161), densenet169: densenet(169), densenet201: densenet(201),
  inception_v3: (o: ZooOptions = {}) => make('inceptionv3', o, () => new Inception3(common(o))),
  cifar_resnet20_v1: cifarResnet(1, 20), cifar_resnet56_v1: cifarResnet(1, 56), cifar_resnet110_v1: cifarResnet(1, 110),
  cifar_resnet20_v2: cifarResnet(2, 20), cifar_resnet56_v2: cifarResnet(2, 56), cifar_resnet110_v2: cifarResnet(2, 110),
  cifar_resnext29_16x64d: (o: ZooOptions = {}) => make(undefined, o, () => new CIFARResNext(29, 16, 64, common(o))),
  wavenet: (o: ZooOptions & Omit<WaveNetOptions, 'prefix' | 'classes'> = {}) => make(undefined, o, () => new WaveNet({ ...o, ...common(o) })),
} satisfies Record<string, (o?: ZooOptions) => HybridBlock>;

export type ModelName = keyof typeof vision;

/** Gluon's get_model: a zoo model by name (case-insensitive; '.' accepted for '_' as in 'mobilenet1.0'). */
export function get_model(name: string, o: ZooOptions = {}): HybridBlock {
  const key = name.toLowerCase().replace(/\./g, '_') as ModelName;
  const build = vision[key];
  if (!build) throw new UsageError(`unknown model '${name}'`, { hint: `models: ${Object.keys(vision).join(', ')}` });
  return build(o);
}
