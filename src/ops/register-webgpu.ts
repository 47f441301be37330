// The WebGPU kernel table: which ops have a WGSL kernel (tfjs-style registry keyed by op and
// backend). Ops not listed here run their CPU kernel inside a WebGPU session, with transfers.
import { registerKernel } from './registry.js';
import { averagePoolWgsl } from './averagepool/averagepool.wgsl.js';
import { batchNormWgsl } from './batchnormalization/batchnormalization.wgsl.js';
import { BINARY_WGSL, binaryKernel } from './binary/binary.wgsl.js';
import { castWgsl } from './cast/cast.wgsl.js';
import { clipWgsl } from './clip/clip.wgsl.js';
import { concatWgsl } from './concat/concat.wgsl.js';
import { convWgsl } from './conv/conv.wgsl.js';
import { dropoutWgsl } from './dropout/dropout.wgsl.js';
import { gatherWgsl } from './gather/gather.wgsl.js';
import { gemmWgsl } from './gemm/gemm.wgsl.js';
import { globalAveragePoolWgsl } from './globalaveragepool/globalaveragepool.wgsl.js';
import { matmulWgsl } from './matmul/matmul.wgsl.js';
import { maxPoolWgsl } from './maxpool/maxpool.wgsl.js';
import { REDUCE_WGSL, reduceKernel } from './reduce/reduce.wgsl.js';
import { sliceWgsl } from './slice/slice.wgsl.js';
import { softmaxKernel } from './softmax/softmax.wgsl.js';
import { splitWgsl } from './split/split.wgsl.js';
import { transposeWgsl } from './transpose/transpose.wgsl.js';
import { UNARY_WGSL, unaryKernel } from './unary/unary.wgsl.js';
import { variadicKernel } from './variadic/variadic.wgsl.js';
import { whereWgsl } from './where/where.wgsl.js';
import type { AttrSchema } from '../ir/attr.js';
import type { GpuKernel } from '../devices/webgpu/program.js';

const gpu = <S extends AttrSchema>(type: string, kernel: GpuKernel<S>) => registerKernel('webgpu', '', type, kernel);

for (const op of Object.keys(UNARY_WGSL)) gpu(op, unaryKernel(op));
for (const op of Object.keys(BINARY_WGSL)) gpu(op, binaryKernel(op));
for (const op of ['Max', 'Min', 'Sum', 'Mean'] as const) gpu(op, variadicKernel(op));
gpu('Where', whereWgsl);
gpu('Clip', clipWgsl);
gpu('Cast', castWgsl);
gpu('MatMul', matmulWgsl);
gpu('Gemm', gemmWgsl);
gpu('Conv', convWgsl);
gpu('MaxPool', maxPoolWgsl);
gpu('AveragePool', averagePoolWgsl);
gpu('GlobalAveragePool', globalAveragePoolWgsl);
gpu('BatchNormalization', batchNormWgsl);
for (const op of Object.keys(REDUCE_WGSL)) gpu(op, reduceKernel(op));
gpu('Softmax', softmaxKernel(false));
gpu('LogSoftmax', softmaxKernel(true));
gpu('Transpose', transposeWgsl);
gpu('Slice', sliceWgsl);
gpu('Concat', concatWgsl);
gpu('Split', splitWgsl);
gpu('Gather', gatherWgsl);

// Ops that only change how the same elements are indexed: the output aliases the input's buffer.
const alias: GpuKernel = () => ({ alias: 0 });
for (const op of ['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity']) gpu(op, alias);
gpu('Dropout', dropoutWgsl);
