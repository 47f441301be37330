import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';

// Einstein summation over any number of operands: each term names its dims with letters ('...'
// stands for broadcast leading dims); labels missing from the output are summed. With no '->', the
// output is '...' followed by the letters used exactly once, in alphabetical order.
export const Einsum = defineOp({
  type: 'Einsum',
  domain: '',
  attrs: { equation: attr.string() },
  inputs: [1, 2147483647],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: (inputs, a) => {
    const dtype = inputs[0]!.dtype;
    if (inputs.some((t) => t!.dtype !== dtype)) throw new ShapeError(`all inputs must have one dtype (${dtype})`);
    const spec = parseEinsum(a.equation, inputs.map((t) => t!.shape));
    return [{ dtype, shape: spec.output.map((l) => spec.sizes.get(l)!) }];
  },
});

/** A parsed equation bound to operand shapes. Ellipsis dims get labels '.0', '.1', … */
export interface EinsumSpec {
  /** Each operand's label per dim (a label repeated within an operand takes a diagonal). */
  operands: string[][];
  output: string[];
  /** Each label's size (the broadcast size for ellipsis dims). */
  sizes: Map<string, number>;
}

export function parseEinsum(equation: string, shapes: readonly (readonly number[])[]): EinsumSpec {
  const eq = equation.replace(/\s+/g, '');
  const bad = (why: string) => new ShapeError(`equation '${equation}': ${why}`);
  if (!/^[A-Za-z.,]*(->[A-Za-z.]*)?$/.test(eq)) throw bad('only letters, \'...\', \',\' and one \'->\' are allowed');
  const [lhs, rhs] = eq.split('->') as [string, string | undefined];
  const terms = lhs.split(',');
  if (terms.length !== shapes.length) throw bad(`${terms.length} operand terms for ${shapes.length} inputs`);
  const letters = (term: string) => term.replace('...', '').split('');
  for (const t of [...terms, rhs ?? '']) {
    if (t.replace('...', '').includes('.')) throw bad(`'${t}' has a '.' that is not part of one '...'`);
  }
  let ellipsisRank = 0;
  terms.forEach((t, i) => {
    const named = letters(t).length;
    const rank = shapes[i]!.length;
    if (t.includes('...') ? rank < named : rank !== named) throw bad(`term '${t}' does not fit operand ${i} of rank ${rank}`);
    if (t.includes('...')) ellipsisRank = Math.max(ellipsisRank, rank - named);
  });
  const ellipsis = (count: number) => Array.from({ length: count }, (_, j) => `.${ellipsisRank - count + j}`);
  const expand = (t: string, count: number) => {
    const at = t.indexOf('...');
    return at < 0 ? letters(t) : [...letters(t.slice(0, at)), ...ellipsis(count), ...letters(t.slice(at + 3))];
  };
  const operands = terms.map((t, i) => expand(t, shapes[i]!.length - letters(t).length));
  const sizes = new Map<string, number>();
  operands.forEach((labels, i) => labels.forEach((l, d) => {
    const n = shapes[i]![d]!;
    const known = sizes.get(l);
    if (known === undefined || known === 1) sizes.set(l, n);
    else if (n !== known && !(l.startsWith('.') && n === 1)) throw bad(`label '${l}' is ${known} in one place and ${n} in another`);
  }));
  let output: string[];
  if (rhs === undefined) {
    const counts = new Map<string, number>();
    for (const l of operands.flat()) counts.set(l, (counts.get(l) ?? 0) + 1);
    const once = [...counts].filter(([l, c]) => c === 1 && !l.startsWith('.')).map(([l]) => l).sort();
    output = [...ellipsis(ellipsisRank), ...once];
  } else {
    if (ellipsisRank > 0 && !rhs.includes('...')) throw bad('the output must keep \'...\' (broadcast dims cannot be summed)');
    output = expand(rhs, ellipsisRank);
    for (const l of output) {
      if (!sizes.has(l)) throw bad(`output label '${l}' does not appear in any input`);
      if (output.indexOf(l) !== output.lastIndexOf(l)) throw bad(`output label '${l}' appears twice`);
    }
  }
  return { operands, output, sizes };
}
