// Control flow: the opset 8 form of Scan (batched, with sequence_lens) has no opset 9+ equivalent
// node, so it becomes nnrt.ScanBatched; opset 9+ Scan, If and Loop pass through.
import { NNRT_DOMAIN } from '../../../ir/graph.js';
import { registerImportConverter } from '../converter.js';

registerImportConverter({
  opType: 'Scan', sinceVersion: 8,
  convert: (node) => [{ ...node, opType: 'ScanBatched', domain: NNRT_DOMAIN }],
});
registerImportConverter({ opType: 'Scan', sinceVersion: 9, convert: (node) => [node] });
