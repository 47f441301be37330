// Settings nnrt's Node modules read from the environment as they load (NNRT_CPU_THREADS,
// NNRT_CPU_SPIN_US, NNRT_CPU_RELAXED_SIMD): a bad value is kept here, with the default in force,
// so that the CLI reports it as a usage error (exit 2) before any command instead of a stack trace
// at import; the library entry (src/node.ts) throws the first one.
import { NnrtError } from '../errors.js';

const errors: NnrtError[] = [];

/** Keeps `e` when it is an NnrtError (a bad setting); anything else is thrown on. */
export function recordEnvironmentError(e: unknown): void {
  if (!(e instanceof NnrtError)) throw e;
  errors.push(e);
}

/** The bad settings found so far. */
export function environmentErrors(): readonly NnrtError[] {
  return errors;
}
