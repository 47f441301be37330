/**
 * Every failure nnrt reports on purpose is an NnrtError: it says what was wrong, where, and
 * what to do. The CLI maps these to exit code 2 (bad input) with the message and no stack trace.
 */
export class NnrtError extends Error {
  /** Where the problem is: a file, node name, op, input name or byte offset. */
  readonly where: string | undefined;
  /** What the user can do about it. */
  readonly hint: string | undefined;
  constructor(message: string, opts: { where?: string; hint?: string; cause?: unknown } = {}) {
    const parts = [message];
    if (opts.where) parts.push(`(at ${opts.where})`);
    if (opts.hint) parts.push(`— ${opts.hint}`);
    super(parts.join(' '), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.where = opts.where;
    this.hint = opts.hint;
  }
}

/** A model or data file could not be parsed (truncated, corrupt, wrong format). */
export class ParseError extends NnrtError {}
/** The graph is not well formed (dangling inputs, cycles, duplicate names, bad attributes). */
export class GraphError extends NnrtError {}
/** An op, op version, dtype or attribute value that nnrt does not support. */
export class UnsupportedError extends NnrtError {}
/** Shapes or dtypes that do not fit an op's rules. */
export class ShapeError extends NnrtError {}
/** Inputs given to a model do not match what it declares. */
export class InputError extends NnrtError {}
/** A file, directory or option given by the user is missing or invalid. */
export class UsageError extends NnrtError {}
/** A kernel failed while running a node. */
export class ExecutionError extends NnrtError {}
/** A device (WebGPU adapter) is missing, lost, or out of memory. */
export class DeviceError extends NnrtError {}
/** An op or kernel registered twice, or a registration the registry cannot accept (a programming error in nnrt or an extension). */
export class RegistrationError extends NnrtError {}
/** An engine plan file is not a plan, is corrupt or truncated, or was built for another nnrt, adapter or shape. */
export class PlanError extends NnrtError {}
