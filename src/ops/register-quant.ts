// Quantization: QuantizeLinear, DequantizeLinear, and the integer/quantized products
// (MatMulInteger, ConvInteger, QLinearMatMul, QLinearConv), accumulated in int32; and the
// com.microsoft QOperator ops of onnxruntime's quantization tools (CPU kernels only).
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
import { QGemm } from './ms-qgemm/ms-qgemm.op.js';
import { qgemmCpu } from './ms-qgemm/ms-qgemm.cpu.js';
import { QLinearLeakyRelu, QLinearSigmoid } from './ms-qlinearactivation/ms-qlinearactivation.op.js';
import { qlinearLeakyReluCpu, qlinearSigmoidCpu } from './ms-qlinearactivation/ms-qlinearactivation.cpu.js';
import { QLinearAveragePool } from './ms-qlinearaveragepool/ms-qlinearaveragepool.op.js';
import { qlinearAveragePoolCpu } from './ms-qlinearaveragepool/ms-qlinearaveragepool.cpu.js';
import { QLinearAdd, QLinearMul } from './ms-qlinearbinary/ms-qlinearbinary.op.js';
import { qlinearAddCpu, qlinearMulCpu } from './ms-qlinearbinary/ms-qlinearbinary.cpu.js';
import { QLinearConcat } from './ms-qlinearconcat/ms-qlinearconcat.op.js';
import { qlinearConcatCpu } from './ms-qlinearconcat/ms-qlinearconcat.cpu.js';
import { QLinearGlobalAveragePool } from './ms-qlinearglobalaveragepool/ms-qlinearglobalaveragepool.op.js';
import { qlinearGlobalAveragePoolCpu } from './ms-qlinearglobalaveragepool/ms-qlinearglobalaveragepool.cpu.js';
import { QLinearSoftmax } from './ms-qlinearsoftmax/ms-qlinearsoftmax.op.js';
import { qlinearSoftmaxCpu } from './ms-qlinearsoftmax/ms-qlinearsoftmax.cpu.js';
import { MsDequantizeLinear, MsQuantizeLinear } from './ms-quantizelinear/ms-quantizelinear.op.js';
import { msDequantizeLinearCpu, msQuantizeLinearCpu } from './ms-quantizelinear/ms-quantizelinear.cpu.js';

registerOp(QuantizeLinear, { cpu: quantizeLinearCpu, webgpu: quantizeLinearWgsl });
registerOp(DequantizeLinear, { cpu: dequantizeLinearCpu, webgpu: dequantizeLinearWgsl });
registerOp(MatMulInteger, { cpu: matMulIntegerCpu, webgpu: matMulIntegerWgsl });
registerOp(ConvInteger, { cpu: convIntegerCpu, webgpu: convIntegerWgsl });
registerOp(QLinearMatMul, { cpu: qlinearMatMulCpu, webgpu: qlinearMatMulWgsl });
registerOp(QLinearConv, { cpu: qlinearConvCpu, webgpu: qlinearConvWgsl });

// com.microsoft
registerOp(MsQuantizeLinear, { cpu: msQuantizeLinearCpu });
registerOp(MsDequantizeLinear, { cpu: msDequantizeLinearCpu });
registerOp(QLinearAdd, { cpu: qlinearAddCpu });
registerOp(QLinearMul, { cpu: qlinearMulCpu });
registerOp(QLinearSigmoid, { cpu: qlinearSigmoidCpu });
registerOp(QLinearLeakyRelu, { cpu: qlinearLeakyReluCpu });
registerOp(QLinearGlobalAveragePool, { cpu: qlinearGlobalAveragePoolCpu });
registerOp(QLinearAveragePool, { cpu: qlinearAveragePoolCpu });
registerOp(QLinearConcat, { cpu: qlinearConcatCpu });
registerOp(QLinearSoftmax, { cpu: qlinearSoftmaxCpu });
registerOp(QGemm, { cpu: qgemmCpu });
