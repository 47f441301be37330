// The whole ONNX backend node test suite on the CPU (see onnx-node-full.ts).
import { fullConformanceTest } from './onnx-node-full.js';

fullConformanceTest('cpu', undefined);
