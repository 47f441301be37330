// Import converters for the indexing/signal family (older opsets → IR form).
import { Tensor } from '../../../tensor/tensor.js';
import { attrToInput, registerImportConverter } from '../converter.js';

// DFT 20: `axis` moved from an attribute (default 1) to input 2 (default -2), so an opset 17-19
// node always gets its axis as a constant input.
registerImportConverter({
  opType: 'DFT',
  sinceVersion: 1,
  convert: (node, ctx) => {
    const withAxis = node.attrs.axis ? node : { ...node, attrs: { ...node.attrs, axis: { type: 'int' as const, value: 1 } } };
    return [attrToInput(withAxis, ctx, 'axis', 2, (v) => Tensor.scalar('int64', v as number))];
  },
});
registerImportConverter({ opType: 'DFT', sinceVersion: 20, convert: (node) => [node] });
