// What `nnrt bench`'s comma-list options accept, and the precisions they choose: the checked
// lists, the profile rows' float precisions, and the int8 rows' calibration cache.
import { UsageError } from '../errors.js';
import { readFileChecked } from '../node/files.js';
import type { Precision } from '../bench/types.js';
import type { BenchCliOptions } from './bench.js';

export const PRECISIONS = ['fp32', 'fp16', 'int8'] as const;

/** A comma list checked against the allowed words ('cpu,webgpu'). */
export function listOf<T extends string>(value: string, allowed: readonly T[], option: string): T[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const it of items) {
    if (!(allowed as readonly string[]).includes(it)) throw new UsageError(`${option} '${it}' is not one of ${allowed.join(', ')}`);
  }
  if (items.length === 0) throw new UsageError(`${option} needs at least one of ${allowed.join(', ')}`);
  return [...new Set(items)] as T[];
}

/** Profile rows: fp32 and fp16 (an int8 engine does not take profiles yet). */
export function profilePrecisions(o: Pick<BenchCliOptions, 'precision' | 'calibration'>): Exclude<Precision, 'int8'>[] {
  const p = listOf<Precision>(o.precision, PRECISIONS, '--precision');
  if (p.includes('int8') || o.calibration) throw new UsageError('--precision int8 does not combine with profile flags yet', { hint: 'time int8 at one shape, the profiles in fp32/fp16' });
  return p as Exclude<Precision, 'int8'>[];
}

/** The int8 rows' calibration cache: read once, for the one model it was made for (checked against it when the row is prepared). */
export function int8Calibration(o: Pick<BenchCliOptions, 'calibration'>, precisions: readonly Precision[], models: number): { text: string; source: string } | undefined {
  const int8 = precisions.includes('int8');
  if (!int8 && o.calibration) throw new UsageError('--calibration goes with --precision int8 (e.g. --precision fp32,int8)');
  if (!int8) return undefined;
  if (!o.calibration) throw new UsageError('--precision int8 needs --calibration FILE', { hint: 'make one with nnrt calibrate MODEL --data DIR --out FILE; a QDQ model needs no int8 precision (its quantized layers are int8 at fp32 and fp16)' });
  if (models !== 1) throw new UsageError(`--precision int8 times one model (its calibration cache belongs to it), not ${models}`);
  return { text: new TextDecoder().decode(readFileChecked(o.calibration, 'calibration cache')), source: o.calibration };
}
