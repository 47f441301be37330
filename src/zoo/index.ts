// The model zoo: Gluon model-zoo / GluonCV architectures with Gluon's parameter names.
export { vision, get_model, type ModelName, type ZooOptions } from './vision.js';
export { MODEL_SHA1, modelFileName, setDefaultModelStore, pretrainedBytes, type ModelStore, type PretrainedOptions } from './model-store.js';
export { ResNetV1, ResNetV2, BasicBlockV1, BasicBlockV2, BottleneckV1, BottleneckV2, buildResNet } from './resnet.js';
export { AlexNet, VGG, SqueezeNet } from './classic.js';
export { MobileNet, MobileNetV2, LinearBottleneck, ReLU6 } from './mobilenet.js';
export { DenseNet } from './densenet.js';
export { Inception3 } from './inception.js';
export { CIFARResNet, CIFARResNext, CIFARBasicBlockV2, CIFARResNextBlock } from './cifar.js';
export { WaveNet, WaveNetResidual } from './wavenet.js';
