// Import converters for RNN, GRU and LSTM (older opsets → IR form).
//
// Opset 1 had `output_sequence` (whether Y is wanted); opset 7 dropped it, Y being computed when
// the node names it, which is what the IR form does. GRU-1 had no linear_before_reset (opset 3 added
// it with default 0, the older behaviour); opset 14 added `layout` (default 0, likewise).
import { registerImportConverter } from '../converter.js';

for (const opType of ['RNN', 'GRU', 'LSTM']) {
  registerImportConverter({
    opType,
    sinceVersion: 1,
    convert(node) {
      const { output_sequence: _unused, ...attrs } = node.attrs;
      return [{ ...node, attrs }];
    },
  });
  registerImportConverter({ opType, sinceVersion: 7, convert: (node) => [node] });
}
