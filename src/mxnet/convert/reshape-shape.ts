// MXNet Reshape's special codes, resolved against a known input shape at conversion time:
//   0 copy this input dim · −1 infer from the remaining size · −2 copy all remaining input dims
//   −3 merge the next two input dims · −4 split the next input dim into the two values that follow
// reverse=True matches the codes from the right (both lists reversed, then the result reversed).
import { ShapeError } from '../../errors.js';
import { elementCount } from '../../tensor/shape.js';

export function mxReshapeTarget(input: readonly number[], spec: readonly number[], reverse: boolean, where: string): number[] {
  const src = reverse ? [...input].reverse() : [...input];
  const codes = reverse ? [...spec].reverse() : [...spec];
  const fail = (msg: string): never => {
    throw new ShapeError(`cannot reshape (${input.join(',')}) to (${spec.join(',')})${reverse ? ' reversed' : ''}: ${msg}`, { where });
  };
  const next = (): number => (i < src.length ? src[i++]! : fail(`the codes consume more than the input's ${src.length} dims`));
  const out: number[] = [];
  let inferAt = -1;
  let i = 0;
  for (let k = 0; k < codes.length; k++) {
    const c = codes[k]!;
    if (c > 0) {
      out.push(c);
      i++;
    } else if (c === 0) out.push(next());
    else if (c === -1) {
      if (inferAt >= 0) fail('more than one -1');
      inferAt = out.length;
      out.push(-1);
      i++;
    } else if (c === -2) {
      while (i < src.length) out.push(src[i++]!);
    } else if (c === -3) out.push(next() * next());
    else if (c === -4) {
      const d = next();
      // MXNet reads the pair after -4 in the (possibly reversed) code list, literally
      let [a, b] = [codes[k + 1], codes[k + 2]];
      if (a === undefined || b === undefined) fail('-4 must be followed by two values');
      k += 2;
      if (a === -1 && b === -1) fail('-4 cannot split into two unknown dims');
      if (a === -1) a = d / b!;
      if (b === -1) b = d / a!;
      if (!Number.isInteger(a) || !Number.isInteger(b) || a! * b! !== d) fail(`-4 cannot split ${d} into ${a} x ${b}`);
      out.push(a!, b!);
    } else fail(`unknown code ${c}`);
  }
  const total = elementCount(input);
  if (inferAt >= 0) {
    const known = out.reduce((a, d, j) => (j === inferAt ? a : a * d), 1);
    if (known === 0 || total % known !== 0) fail(`${total} elements do not divide into the known dims`);
    out[inferAt] = total / known;
  }
  if (elementCount(out) !== total) fail(`the result has a different element count than the input's ${total}`);
  return reverse ? out.reverse() : out;
}
