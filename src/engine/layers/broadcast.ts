// Which operand shapes the engine's pointwise kernels broadcast: the partitioner and the
// importer ask the same question.
import { elementCount } from '../../tensor/shape.js';

/**
 * Operand shape S broadcasts to the output shape O as the engine's pointwise kernels allow:
 * S = O, a single element, or per channel (C = O[1]): [C,1,1] / [1,C,1,1] at rank 4, [C,1] / [1,C,1] at rank 3,
 * [C] / [1,C] at rank 2.
 */
export function pointwiseBroadcastOk(s: readonly number[], o: readonly number[]): boolean {
  if (s.length === o.length && s.every((d, i) => d === o[i])) return true;
  if (elementCount(s) === 1) return true;
  const c = o[1];
  const perChannel = (pattern: number[]) => s.length === pattern.length && s.every((d, i) => d === pattern[i]);
  if (o.length === 4 && c !== undefined) return perChannel([c, 1, 1]) || perChannel([1, c, 1, 1]);
  if (o.length === 3 && c !== undefined) return perChannel([c, 1]) || perChannel([1, c, 1]);
  // rank 2 [M, N]: a bias along the last axis (MatMul + Add)
  if (o.length === 2 && c !== undefined) return perChannel([c]) || perChannel([1, c]);
  return false;
}
