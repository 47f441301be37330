// nnrt's public API (browser-safe core: no Node built-ins). Node-only helpers: 'nnrt/node'.
export * from './errors.js';
export * from './tensor/index.js';
export { Graph, type Node, type ValueInfo, type OutputInfo, type Dim } from './ir/graph.js';
export { attr, type AttrValue } from './ir/attr.js';
export { hashGraph } from './ir/hash.js';
export { inferShapes } from './ir/infer.js';
export { verifyGraph } from './ir/verify.js';
export { topoSort } from './ir/topo.js';
export { listOps, opTyper } from './ops/index.js';
export { importOnnx, type ImportedModel, type OnnxImportOptions } from './onnx/import/model.js';
export { encodeTensorProto } from './onnx/tensor-write.js';
export { decodeTensorProto } from './onnx/tensor-read.js';
export { exportOnnx, exportOnnxWithData, type OnnxExportOptions } from './onnx/export/model.js';
export * as mxnet from './mxnet/index.js';
export * as nn from './nn/index.js';
export * as zoo from './zoo/index.js';
export { vision, get_model } from './zoo/index.js';
// images in: transforms (resize, centerCrop, toTensor, normalize, compose, batch), imagenetPreprocess,
// IMAGENET_CLASSES, topK (`vision` is the model zoo's name, as in Gluon)
export * as images from './vision/index.js';
export { GraphBuilder } from './ir/builder.js';
export { describeProfile, type ShapeProfile, type ShapeRange } from './engine/profile.js';
export { createSession, type Session, type SessionOptions, type SessionStats, DEVICES, ENGINES } from './runtime/session.js';
export { installWebCpuThreads } from './cpu/web-workers.js';
export { installCpuThreads, prepareWasmKernels } from './cpu/wasm-kernels.js';
export { allowRelaxedSimd, cpuSimd, type CpuSimd } from './cpu/kernel-binaries.js';
// the engine (our TensorRT): builder, plans, execution contexts; and the partitioned integration
export { buildEnginePlan } from './engine/builder.js';
export { Engine, ExecutionContext, type DeviceTensor, type LoadOptions } from './engine/runtime.js';
export { checkBuilderConfig, PRECISIONS, type BuilderConfig, type BuildProgress, type Precision } from './engine/config.js';
export { parsePlan, serializePlan, checkPlanCompatible, type EnginePlan, type PlanHeader } from './engine/plan-format.js';
export { TimingCache } from './engine/timing-cache.js';
export { parsePlans, serializePlanSet, isPlanSet, readPlanSetHeader, type PlanSetHeader } from './engine/plan-set.js';
export { createPlanSession, type PlanSessionOptions, type PlanSessionStats } from './runtime/plan-session.js';
export type { PlanStore } from './engine/service.js';
export type { EngineStats } from './runtime/engine-session.js';
export type { RunOnDeviceOptions } from './executor/gpu-executor.js';
export { optimizeFor, type OptimizeOptions } from './runtime/optimize.js';
export { partitionGraph, applyPartition, DEFAULT_MIN_SUBGRAPH_SIZE, type PartitionResult } from './partition/index.js';
export { backendSupport } from './runtime/backends.js';
export { createGpuDevice, sharedGpuDevice, GpuDevice, type GpuDeviceOptions } from './devices/webgpu/device.js';
export { defaultGpu } from './devices/webgpu/provider.js';
export { isGpuTensor, type GpuTensor } from './devices/webgpu/gpu-tensor.js';

import { importOnnx, type OnnxImportOptions } from './onnx/import/model.js';
import { createSession, type Session, type SessionOptions } from './runtime/session.js';

/** Loads an ONNX model from bytes and prepares it to run: `const y = await (await loadModel(bytes)).run({ x })`. */
export async function loadModel(bytes: Uint8Array, opts: SessionOptions & OnnxImportOptions = {}): Promise<Session> {
  const { graph } = importOnnx(bytes, opts);
  return createSession(graph, opts);
}
