import { UnsupportedError } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import type { RegexFullMatch } from './regexfullmatch.op.js';

const compiled = new Map<string, RegExp>();

/** The pattern anchored at both ends, Unicode-aware where the pattern allows it. */
function fullMatcher(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re) return re;
  try {
    re = new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    try {
      re = new RegExp(`^(?:${pattern})$`);
    } catch (e) {
      throw new UnsupportedError(`pattern ${JSON.stringify(pattern)} is not a valid regular expression: ${(e as Error).message}`);
    }
  }
  compiled.set(pattern, re);
  return re;
}

export const regexFullMatchCpu: CpuKernel<typeof RegexFullMatch.attrs> = ([x], { pattern }, [out]) => {
  const re = fullMatcher(pattern);
  return [new Tensor('bool', out!.shape, Uint8Array.from(x!.data as string[], (s) => (re.test(s) ? 1 : 0)))];
};
