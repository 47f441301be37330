/**
 * Every failure nnrt reports on purpose is an NnrtError: it says what was wrong, where, and
 * what to do. The CLI maps these to exit code 2 (bad input) with the message and no stack trace.
 */
export class NnrtError extends Error {
  /** Where the problem is: a file, node name, op, input name or byte offset. */
  readonly where: string | undefined;
  /** What the user can do about it. */
  readonly hint: string | undefined;
  /** What was wrong, without the where and the hint that `message` appends (for re-wrapping). */
  readonly detail: string;
  constructor(message: string, opts: { where?: string; hint?: string; cause?: unknown } = {}) {
    const parts = [cutLongNames(message)];
    if (opts.where) parts.push(`(at ${cutLongNames(opts.where)})`);
    if (opts.hint) parts.push(`— ${cutLongNames(opts.hint)}`);
    super(parts.join(' '), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.where = opts.where === undefined ? undefined : cutLongNames(opts.where);
    this.hint = opts.hint;
    this.detail = parts[0]!;
  }
}

const LONG = 120;
/**
 * A model names things as it likes (a 10 MB node name): error lines keep the start and the end of
 * any run of more than LONG characters without a space, and say how much was cut.
 */
export function cutLongNames(text: string): string {
  if (text.length <= LONG) return text;
  let out = '';
  for (let i = 0; i < text.length;) {
    let j = i;
    while (j < text.length && !/\s/.test(text[j]!)) j++;
    const word = text.slice(i, j);
    out += word.length > LONG ? `${word.slice(0, 80)}…[${word.length - 100} chars]…${word.slice(-20)}` : word;
    if (j < text.length) out += text[j];
    i = j + 1;
  }
  return out;
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
/** An input shape outside every optimization profile of an engine session (or plan). */
export class ProfileError extends InputError {}
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
/** A calibration cache is malformed, or does not fit the model it is used with. */
export class CalibrationError extends NnrtError {}
