// The whole ONNX backend node test suite on WebGPU (lavapipe in CI; see onnx-node-full.ts).
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { fullConformanceTest } from './onnx-node-full.js';

fullConformanceTest('webgpu', webgpuSkip());
