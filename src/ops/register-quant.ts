// Quantization: QuantizeLinear, DequantizeLinear, and the integer/quantized products
// (MatMulInteger, ConvInteger, QLinearMatMul, QLinearConv), accumulated in int32.
import { convIntegerCpu } from './convinteger/convinteger.cpu.js';
import { ConvInteger } from './convinteger/convinteger.op.js';
import { dequantizeLinearCpu } from './dequantizelinear/dequantizelinear.cpu.js';
import { DequantizeLinear } from './dequantizelinear/dequantizelinear.op.js';
import { matMulIntegerCpu } from './matmulinteger/matmulinteger.cpu.js';
import { MatMulInteger } from './matmulinteger/matmulinteger.op.js';
import { qlinearConvCpu } from './qlinearconv/qlinearconv.cpu.js';
import { QLinearConv } from './qlinearconv/qlinearconv.op.js';
import { qlinearMatMulCpu } from './qlinearmatmul/qlinearmatmul.cpu.js';
import { QLinearMatMul } from './qlinearmatmul/qlinearmatmul.op.js';
import { quantizeLinearCpu } from './quantizelinear/quantizelinear.cpu.js';
import { QuantizeLinear } from './quantizelinear/quantizelinear.op.js';
import { registerOp } from './registry.js';
import { dequantizeLinearWgsl } from './dequantizelinear/dequantizelinear.wgsl.js';
import { quantizeLinearWgsl } from './quantizelinear/quantizelinear.wgsl.js';
import { matMulIntegerWgsl } from './matmulinteger/matmulinteger.wgsl.js';
import { qlinearMatMulWgsl } from './qlinearmatmul/qlinearmatmul.wgsl.js';
import { convIntegerWgsl } from './convinteger/convinteger.wgsl.js';
import { qlinearConvWgsl } from './qlinearconv/qlinearconv.wgsl.js';

registerOp(QuantizeLinear, { cpu: quantizeLinearCpu, webgpu: quantizeLinearWgsl });
registerOp(DequantizeLinear, { cpu: dequantizeLinearCpu, webgpu: dequantizeLinearWgsl });
registerOp(MatMulInteger, { cpu: matMulIntegerCpu, webgpu: matMulIntegerWgsl });
registerOp(ConvInteger, { cpu: convIntegerCpu, webgpu: convIntegerWgsl });
registerOp(QLinearMatMul, { cpu: qlinearMatMulCpu, webgpu: qlinearMatMulWgsl });
registerOp(QLinearConv, { cpu: qlinearConvCpu, webgpu: qlinearConvWgsl });
