// Math and activation ops beyond the basic elementwise family: trigonometry, bitwise ops, Mod,
// scans, matrix helpers, the normalizations, windows and random generators.
import * as W from './bitwise/bitwise.op.js';
import * as w from './bitwise/bitwise.cpu.js';
import { CumProd, CumSum } from './cumulative/cumulative.op.js';
import { cumProdCpu, cumSumCpu } from './cumulative/cumulative.cpu.js';
import { EyeLike } from './eyelike/eyelike.op.js';
import { eyeLikeCpu } from './eyelike/eyelike.cpu.js';
import { GroupNormalization } from './groupnormalization/groupnormalization.op.js';
import { groupNormalizationCpu } from './groupnormalization/groupnormalization.cpu.js';
import { Hardmax } from './hardmax/hardmax.op.js';
import { hardmaxCpu } from './hardmax/hardmax.cpu.js';
import { LpNormalization } from './lpnormalization/lpnormalization.op.js';
import { lpNormalizationCpu } from './lpnormalization/lpnormalization.cpu.js';
import { LRN } from './lrn/lrn.op.js';
import { lrnCpu } from './lrn/lrn.cpu.js';
import { MeanVarianceNormalization } from './meanvariancenormalization/meanvariancenormalization.op.js';
import { meanVarianceNormalizationCpu } from './meanvariancenormalization/meanvariancenormalization.cpu.js';
import { Mod } from './mod/mod.op.js';
import { modCpu } from './mod/mod.cpu.js';
import { OneHot } from './onehot/onehot.op.js';
import { oneHotCpu } from './onehot/onehot.cpu.js';
import { registerOp } from './registry.js';
import { RMSNormalization } from './rmsnormalization/rmsnormalization.op.js';
import { rmsNormalizationCpu } from './rmsnormalization/rmsnormalization.cpu.js';
import { Trilu } from './trilu/trilu.op.js';
import { triluCpu } from './trilu/trilu.cpu.js';
import * as U from './unary/unary.op.js';
import * as u from './unary/unary.cpu.js';

registerOp(U.Tan, { cpu: u.tanCpu });
registerOp(U.Asin, { cpu: u.asinCpu });
registerOp(U.Acos, { cpu: u.acosCpu });
registerOp(U.Atan, { cpu: u.atanCpu });
registerOp(U.Sinh, { cpu: u.sinhCpu });
registerOp(U.Cosh, { cpu: u.coshCpu });
registerOp(U.Asinh, { cpu: u.asinhCpu });
registerOp(U.Acosh, { cpu: u.acoshCpu });
registerOp(U.Atanh, { cpu: u.atanhCpu });
registerOp(U.Celu, { cpu: u.celuCpu });
registerOp(U.Mish, { cpu: u.mishCpu });
registerOp(U.Swish, { cpu: u.swishCpu });
registerOp(U.ThresholdedRelu, { cpu: u.thresholdedReluCpu });
registerOp(U.Shrink, { cpu: u.shrinkCpu });
registerOp(U.IsNaN, { cpu: u.isNaNCpu });
registerOp(U.IsInf, { cpu: u.isInfCpu });

registerOp(W.BitwiseAnd, { cpu: w.bitwiseAndCpu });
registerOp(W.BitwiseOr, { cpu: w.bitwiseOrCpu });
registerOp(W.BitwiseXor, { cpu: w.bitwiseXorCpu });
registerOp(W.BitwiseNot, { cpu: w.bitwiseNotCpu });
registerOp(W.BitShift, { cpu: w.bitShiftCpu });
registerOp(Mod, { cpu: modCpu });

registerOp(CumSum, { cpu: cumSumCpu });
registerOp(CumProd, { cpu: cumProdCpu });
registerOp(Trilu, { cpu: triluCpu });
registerOp(EyeLike, { cpu: eyeLikeCpu });
registerOp(OneHot, { cpu: oneHotCpu });
registerOp(Hardmax, { cpu: hardmaxCpu });

registerOp(RMSNormalization, { cpu: rmsNormalizationCpu });
registerOp(LpNormalization, { cpu: lpNormalizationCpu });
registerOp(LRN, { cpu: lrnCpu });
registerOp(MeanVarianceNormalization, { cpu: meanVarianceNormalizationCpu });
registerOp(GroupNormalization, { cpu: groupNormalizationCpu });
