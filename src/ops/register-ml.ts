// The ai.onnx.ml (classic machine learning) ops nnrt runs: Binarizer, ArrayFeatureExtractor and
// TreeEnsemble and LabelEncoder (over numbers and strings).
import { registerOp } from './registry.js';
import { ArrayFeatureExtractor } from './ml-arrayfeatureextractor/ml-arrayfeatureextractor.op.js';
import { arrayFeatureExtractorCpu } from './ml-arrayfeatureextractor/ml-arrayfeatureextractor.cpu.js';
import { Binarizer } from './ml-binarizer/ml-binarizer.op.js';
import { binarizerCpu } from './ml-binarizer/ml-binarizer.cpu.js';
import { LabelEncoder } from './ml-labelencoder/ml-labelencoder.op.js';
import { labelEncoderCpu } from './ml-labelencoder/ml-labelencoder.cpu.js';
import { TreeEnsemble } from './ml-treeensemble/ml-treeensemble.op.js';
import { treeEnsembleCpu } from './ml-treeensemble/ml-treeensemble.cpu.js';

registerOp(ArrayFeatureExtractor, { cpu: arrayFeatureExtractorCpu });
registerOp(Binarizer, { cpu: binarizerCpu });
registerOp(LabelEncoder, { cpu: labelEncoderCpu });
registerOp(TreeEnsemble, { cpu: treeEnsembleCpu });
