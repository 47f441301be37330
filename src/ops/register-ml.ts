// The ai.onnx.ml (classic machine learning) ops nnrt runs: Binarizer, ArrayFeatureExtractor and
// TreeEnsemble (the ops on string tensors, such as LabelEncoder over strings, are not supported).
import { registerOp } from './registry.js';
import { ArrayFeatureExtractor } from './ml-arrayfeatureextractor/ml-arrayfeatureextractor.op.js';
import { arrayFeatureExtractorCpu } from './ml-arrayfeatureextractor/ml-arrayfeatureextractor.cpu.js';
import { Binarizer } from './ml-binarizer/ml-binarizer.op.js';
import { binarizerCpu } from './ml-binarizer/ml-binarizer.cpu.js';
import { TreeEnsemble } from './ml-treeensemble/ml-treeensemble.op.js';
import { treeEnsembleCpu } from './ml-treeensemble/ml-treeensemble.cpu.js';

registerOp(ArrayFeatureExtractor, { cpu: arrayFeatureExtractorCpu });
registerOp(Binarizer, { cpu: binarizerCpu });
registerOp(TreeEnsemble, { cpu: treeEnsembleCpu });
