// Which operand shapes the engine's pointwise kernels broadcast: the partitioner and the
// importer ask the same question.
import { numpyBroadcasts } from '../passes/pw-expr.js';

/**
 * Operand shape S broadcasts to the output shape O as the engine's pointwise kernels allow: any
 * numpy (ONNX multidirectional) broadcast — S right-aligned against O, each dim equal or 1.
 * The kernels read operands by strides (a stride 0 per broadcast axis), in any layout.
 */
export function pointwiseBroadcastOk(s: readonly number[], o: readonly number[]): boolean {
  return numpyBroadcasts(s, o);
}
