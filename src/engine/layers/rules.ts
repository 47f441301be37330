// Support rules the layer kinds share (built from src/partition/predicate.ts): float32 data with
// static shapes (or any engine element type for data movement), and the ranks the engine's spatial kernels take.
import { dtypesAndShapes, inputRank } from '../../partition/predicate.js';

const F32 = ['float32'] as const;

/** Every input and output float32 with a static shape. */
export const floatOnly = dtypesAndShapes(F32);
/** Ops whose extra inputs are shapes/axes/flags: only input 0 and the output are data. */
export const floatData0 = dtypesAndShapes(F32, [0]);
const ANY = ['float32', 'int64', 'int32', 'bool'] as const;
/** Data movement (reshape, slice, expand) of any engine element type: integers and bool are i32 on the device. */
export const anyTypeOnly = dtypesAndShapes(ANY);
export const anyTypeData0 = dtypesAndShapes(ANY, [0]);
/** A 1-D or 2-D window over a rank-3 or rank-4 input (convolution, pooling). */
export const spatial1or2 = (what: string) => inputRank(0, [3, 4], (r) => (r === 5 ? `3-D ${what} is not supported` : `${what} needs a rank-3 or rank-4 input, got rank ${r}`));
