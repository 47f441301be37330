// String ops (ONNX string tensors stay on the host).
import { registerOp } from './registry.js';
import { RegexFullMatch } from './regexfullmatch/regexfullmatch.op.js';
import { regexFullMatchCpu } from './regexfullmatch/regexfullmatch.cpu.js';
import { StringConcat } from './stringconcat/stringconcat.op.js';
import { stringConcatCpu } from './stringconcat/stringconcat.cpu.js';
import { StringNormalizer } from './stringnormalizer/stringnormalizer.op.js';
import { stringNormalizerCpu } from './stringnormalizer/stringnormalizer.cpu.js';
import { StringSplit } from './stringsplit/stringsplit.op.js';
import { stringSplitCpu } from './stringsplit/stringsplit.cpu.js';

registerOp(RegexFullMatch, { cpu: regexFullMatchCpu });
registerOp(StringConcat, { cpu: stringConcatCpu });
registerOp(StringNormalizer, { cpu: stringNormalizerCpu });
registerOp(StringSplit, { cpu: stringSplitCpu });
