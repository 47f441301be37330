// Import converters for the nn op family (older opsets → IR form).
//
// BatchNormalization 7–13 → 14+: opsets 7 and 9 mark the mode by the outputs (Y alone: inference;
// Y, mean, var, saved_mean, saved_var: training); 14 has training_mode and three outputs. Opset 7
// also had `spatial` (9 dropped it, keeping spatial = 1). Conv, ConvTranspose, MatMul, Gemm, the
// pools and the other normalizations only gained attributes from opset 7 on, and the newest forms'
// defaults reproduce the older behaviour, so they pass through unchanged.
import { UnsupportedError } from '../../../errors.js';
import { nodeWhere } from '../../../ir/graph.js';
import { registerImportConverter } from '../converter.js';

registerImportConverter({
  opType: 'BatchNormalization',
  sinceVersion: 1, // opsets 1 and 6 also have is_test, which the outputs say again
  convert(node) {
    const where = nodeWhere(node);
    const attrs = { ...node.attrs };
    delete attrs.is_test;
    const spatial = attrs.spatial;
    if (spatial && spatial.value !== 1) {
      throw new UnsupportedError('BatchNormalization with spatial = 0 (per-activation statistics) is not supported', {
        where, hint: 'only spatial = 1 (per-channel statistics, the opset 9+ behaviour) is',
      });
    }
    delete attrs.spatial;
    const outputs = [...node.outputs];
    while (outputs.length > 1 && outputs[outputs.length - 1] === '') outputs.pop();
    if (outputs.length > 3) {
      throw new UnsupportedError('BatchNormalization saved_mean/saved_var outputs (training) are not supported', { where });
    }
    if (outputs.length > 1) attrs.training_mode = { type: 'int', value: 1 };
    return [{ ...node, attrs, outputs }];
  },
});

// Opset 14 introduced the current form: no change from here on.
registerImportConverter({ opType: 'BatchNormalization', sinceVersion: 14, convert: (node) => [node] });
