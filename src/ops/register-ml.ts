// The ai.onnx.ml (classic machine learning) ops nnrt runs: Binarizer, ArrayFeatureExtractor,
// LabelEncoder (over numbers and strings), TreeEnsemble, and the ops skl2onnx and onnxmltools emit
// most: LinearClassifier/Regressor, Normalizer, Scaler, TreeEnsembleClassifier/Regressor,
// SVMClassifier/Regressor, OneHotEncoder, Imputer, FeatureVectorizer. nnrt's values have no map
// type, so ZipMap, CastMap and DictVectorizer are refused by name.
import { registerOp, registerRefusal } from './registry.js';
import { ArrayFeatureExtractor } from './ml-arrayfeatureextractor/ml-arrayfeatureextractor.op.js';
import { arrayFeatureExtractorCpu } from './ml-arrayfeatureextractor/ml-arrayfeatureextractor.cpu.js';
import { Binarizer, ML_DOMAIN } from './ml-binarizer/ml-binarizer.op.js';
import { binarizerCpu } from './ml-binarizer/ml-binarizer.cpu.js';
import { FeatureVectorizer } from './ml-featurevectorizer/ml-featurevectorizer.op.js';
import { featureVectorizerCpu } from './ml-featurevectorizer/ml-featurevectorizer.cpu.js';
import { Imputer } from './ml-imputer/ml-imputer.op.js';
import { imputerCpu } from './ml-imputer/ml-imputer.cpu.js';
import { LabelEncoder } from './ml-labelencoder/ml-labelencoder.op.js';
import { labelEncoderCpu } from './ml-labelencoder/ml-labelencoder.cpu.js';
import { LinearClassifier } from './ml-linearclassifier/ml-linearclassifier.op.js';
import { linearClassifierCpu } from './ml-linearclassifier/ml-linearclassifier.cpu.js';
import { LinearRegressor } from './ml-linearregressor/ml-linearregressor.op.js';
import { linearRegressorCpu } from './ml-linearregressor/ml-linearregressor.cpu.js';
import { Normalizer } from './ml-normalizer/ml-normalizer.op.js';
import { normalizerCpu } from './ml-normalizer/ml-normalizer.cpu.js';
import { OneHotEncoder } from './ml-onehotencoder/ml-onehotencoder.op.js';
import { oneHotEncoderCpu } from './ml-onehotencoder/ml-onehotencoder.cpu.js';
import { Scaler } from './ml-scaler/ml-scaler.op.js';
import { scalerCpu } from './ml-scaler/ml-scaler.cpu.js';
import { SVMClassifier } from './ml-svmclassifier/ml-svmclassifier.op.js';
import { svmClassifierCpu } from './ml-svmclassifier/ml-svmclassifier.cpu.js';
import { SVMRegressor } from './ml-svmregressor/ml-svmregressor.op.js';
import { svmRegressorCpu } from './ml-svmregressor/ml-svmregressor.cpu.js';
import { TreeEnsemble } from './ml-treeensemble/ml-treeensemble.op.js';
import { treeEnsembleCpu } from './ml-treeensemble/ml-treeensemble.cpu.js';
import { TreeEnsembleClassifier } from './ml-treeensembleclassifier/ml-treeensembleclassifier.op.js';
import { treeEnsembleClassifierCpu } from './ml-treeensembleclassifier/ml-treeensembleclassifier.cpu.js';
import { TreeEnsembleRegressor } from './ml-treeensembleregressor/ml-treeensembleregressor.op.js';
import { treeEnsembleRegressorCpu } from './ml-treeensembleregressor/ml-treeensembleregressor.cpu.js';

registerOp(ArrayFeatureExtractor, { cpu: arrayFeatureExtractorCpu });
registerOp(Binarizer, { cpu: binarizerCpu });
registerOp(FeatureVectorizer, { cpu: featureVectorizerCpu });
registerOp(Imputer, { cpu: imputerCpu });
registerOp(LabelEncoder, { cpu: labelEncoderCpu });
registerOp(LinearClassifier, { cpu: linearClassifierCpu });
registerOp(LinearRegressor, { cpu: linearRegressorCpu });
registerOp(Normalizer, { cpu: normalizerCpu });
registerOp(OneHotEncoder, { cpu: oneHotEncoderCpu });
registerOp(Scaler, { cpu: scalerCpu });
registerOp(SVMClassifier, { cpu: svmClassifierCpu });
registerOp(SVMRegressor, { cpu: svmRegressorCpu });
registerOp(TreeEnsemble, { cpu: treeEnsembleCpu });
registerOp(TreeEnsembleClassifier, { cpu: treeEnsembleClassifierCpu });
registerOp(TreeEnsembleRegressor, { cpu: treeEnsembleRegressorCpu });

const NO_MAPS = 'nnrt has no map values (its values are tensors, sequences of tensors and optionals)';
registerRefusal(ML_DOMAIN, 'ZipMap', `${NO_MAPS}, and ZipMap outputs a sequence of maps`,
  "convert the classifier without ZipMap, which keeps the probabilities a tensor: skl2onnx's convert_sklearn(model, ..., options={id(model): {'zipmap': False}})");
for (const op of ['CastMap', 'DictVectorizer']) {
  registerRefusal(ML_DOMAIN, op, `${NO_MAPS}, and ${op} takes a map`, 'give the model tensor features instead (for scikit-learn, vectorize the dictionaries before the converted pipeline)');
}
