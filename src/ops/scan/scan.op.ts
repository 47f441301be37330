import { attr } from '../../ir/attr.js';
import { defineHostOp } from '../host-op.js';

// Opset 9+: (states, scan inputs) → (final states, scan outputs). Iteration t feeds the body the
// states and slice t of every scan input along its axis (reversed where its direction is 1); the
// body's scan-output elements are stacked along each output's axis (prepended where direction 1).
export const Scan = defineHostOp({
  type: 'Scan', domain: '', inputs: [1, Infinity], outputs: [1, Infinity],
  attrs: {
    body: attr.graph(),
    num_scan_inputs: attr.int(),
    scan_input_axes: attr.optional(attr.ints()),
    scan_input_directions: attr.optional(attr.ints()),
    scan_output_axes: attr.optional(attr.ints()),
    scan_output_directions: attr.optional(attr.ints()),
  },
});

// Opset 8 Scan (imported as nnrt.ScanBatched): a leading optional sequence_lens input, a batch axis 0
// on every input and output, the scan axis 1, and one `directions` list for the scan inputs.
export const ScanBatched = defineHostOp({
  type: 'ScanBatched', domain: 'nnrt', inputs: [2, Infinity], outputs: [1, Infinity],
  attrs: { body: attr.graph(), num_scan_inputs: attr.int(), directions: attr.optional(attr.ints()) },
});
