// A Gluon-like layer API: `new nn.HybridSequential().add(new nn.Conv2D({ channels: 8, kernelSize: 3 }))`.
export { HybridBlock, HybridSequential, HybridConcurrent, Identity, type BlockOptions, type InitializeOptions, type InputSpec } from './block.js';
export { Parameter, type ParamKind } from './parameter.js';
export { init, type Initializer } from './init.js';
export { Symbolic, ACTIVATIONS, type ActType, type Sym } from './symbol.js';
export { resetNameCounters } from './scope.js';
export { loadParameters, saveParameters, type LoadOptions } from './params-io.js';
export { Conv1D, Conv2D, Conv1DTranspose, Conv2DTranspose, type ConvOptions } from './layers/conv.js';
export { MaxPool1D, MaxPool2D, AvgPool1D, AvgPool2D, GlobalAvgPool2D, GlobalMaxPool2D, type PoolOptions } from './layers/pool.js';
export { Dense, Activation, LeakyReLU, PReLU, Dropout, Flatten, BatchNorm, LayerNorm, Embedding, type DenseOptions, type BatchNormOptions } from './layers/basic.js';
