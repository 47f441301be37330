// The memory budget of a session: the most bytes of live tensors a run may hold, checked when the
// shapes are known and before anything is allocated, so a small hostile model (ConstantOfShape of
// 4e9 elements, a Conv with pads of 65,535) fails with a typed error instead of taking the machine.
// The core cannot see the machine: Node's entry sets the default to a fraction of its memory.
import { ExecutionError, UsageError } from '../errors.js';

let fallbackBudget = 4 * 2 ** 30;

/** The default budget of new sessions (Node: half the machine's memory; elsewhere 4 GiB). */
export function defaultMemoryBudget(): number {
  return fallbackBudget;
}

export function setDefaultMemoryBudget(bytes: number): void {
  fallbackBudget = checkMemoryBudget(bytes);
}

/** A budget as given by a user: a positive number of bytes (Infinity turns the check off). */
export function checkMemoryBudget(bytes: unknown, what = 'the session memory budget'): number {
  if (typeof bytes !== 'number' || !(bytes > 0)) {
    throw new UsageError(`${what} must be a positive number of bytes, got ${String(bytes)}`, { hint: 'e.g. maxMemory: 2 ** 30, or --max-memory 1G' });
  }
  return bytes;
}

/** Throws before an allocation of `bytes` that would take the live total over `budget`. */
export function assertWithinBudget(live: number, bytes: number, budget: number, what: string, where?: string): void {
  if (!(live + bytes <= budget)) {
    throw new ExecutionError(`${what} needs ${bytes} bytes (${live} already live), over the session's memory budget of ${budget} bytes`, {
      ...(where ? { where } : {}), hint: 'check the model and its input shapes, or raise the budget (maxMemory, --max-memory)',
    });
  }
}

/** Parses a CLI size: bytes, or with a K/M/G/T suffix (powers of 1024). */
export function parseByteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(text);
  if (!m) throw new UsageError(`'${text}' is not a size`, { hint: 'e.g. 512M, 4G or a number of bytes' });
  const scale = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return checkMemoryBudget(Math.floor(Number(m[1]) * scale), `size '${text}'`);
}
