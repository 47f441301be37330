// Optimization profiles (TensorRT's IOptimizationProfile): for each dynamic input the smallest
// (min), the tuned-for (opt) and the largest (max) shape. An engine built for a profile times its
// tactics at opt and runs at any shape between min and max, dim by dim; a shape outside every
// profile is a ProfileError naming the input, the shape and each profile's range.
import { ProfileError, UsageError } from '../errors.js';
import type { ValueInfo } from '../ir/graph.js';

/** One input's range. */
export interface ShapeRange {
  min: readonly number[];
  opt: readonly number[];
  max: readonly number[];
}

/** One optimization profile: a range per dynamic input (inputs left out run at their declared shape). */
export type ShapeProfile = Readonly<Record<string, ShapeRange>>;

export type ProfilePoint = 'min' | 'opt' | 'max';

const show = (s: readonly number[]) => `[${s.join(',')}]`;

/** Checks profiles against a model's inputs: known names, ranks, fixed dims kept, min ≤ opt ≤ max. */
export function checkProfiles(inputs: readonly ValueInfo[], profiles: readonly ShapeProfile[]): ShapeProfile[] {
  const byName = new Map(inputs.map((v) => [v.name, v]));
  profiles.forEach((p, k) => {
    const where = `profile ${k}`;
    if (Object.keys(p).length === 0) throw new UsageError(`${where} gives no input`, { hint: `give a range for one of ${[...byName.keys()].join(', ')}` });
    for (const [name, r] of Object.entries(p)) {
      const v = byName.get(name);
      if (!v) throw new UsageError(`${where} names input '${name}', which the model does not have`, { hint: `its inputs: ${[...byName.keys()].join(', ')}` });
      for (const point of ['min', 'opt', 'max'] as const) {
        const s = r[point];
        if (!Array.isArray(s) || s.some((d) => !Number.isInteger(d) || d < 1)) {
          throw new UsageError(`${where}: ${point} shape of '${name}' must be positive integers, got ${JSON.stringify(s)}`);
        }
        if (!v.unknownRank && s.length !== v.shape.length) {
          throw new UsageError(`${where}: ${point} shape ${show(s)} of '${name}' has rank ${s.length}; the input has rank ${v.shape.length} ([${v.shape.join(',')}])`);
        }
        v.shape.forEach((d, i) => {
          if (!v.unknownRank && typeof d === 'number' && d >= 0 && s[i] !== d) {
            throw new UsageError(`${where}: ${point} shape ${show(s)} of '${name}' changes dim ${i}, which the model fixes at ${d}`);
          }
        });
      }
      if (r.min.length !== r.opt.length || r.opt.length !== r.max.length) throw new UsageError(`${where}: min, opt and max of '${name}' differ in rank`);
      r.min.forEach((lo, i) => {
        if (!(lo <= r.opt[i]! && r.opt[i]! <= r.max[i]!)) {
          throw new UsageError(`${where}: '${name}' dim ${i} needs min ≤ opt ≤ max, got ${lo} / ${r.opt[i]} / ${r.max[i]}`);
        }
      });
    }
  });
  return [...profiles];
}

/** The shapes of a profile at one of its points, for the inputs it names. */
export function profileShapes(profile: ShapeProfile, point: ProfilePoint): Record<string, number[]> {
  return Object.fromEntries(Object.entries(profile).map(([n, r]) => [n, [...r[point]]]));
}

/** Whether every input the profile names has its shape inside the range (inputs it leaves out are not checked). */
export function profileContains(profile: ShapeProfile, shapes: Readonly<Record<string, readonly number[]>>): boolean {
  return Object.entries(profile).every(([n, r]) => {
    const s = shapes[n];
    return !!s && s.length === r.min.length && s.every((d, i) => r.min[i]! <= d && d <= r.max[i]!);
  });
}

/** The first profile containing these shapes, or -1. */
export function findProfile(profiles: readonly ShapeProfile[], shapes: Readonly<Record<string, readonly number[]>>): number {
  return profiles.findIndex((p) => profileContains(p, shapes));
}

/** "x [1,3,8,8]..[8,3,8,8] (opt [4,3,8,8])"; inputs joined with '; '. */
export function describeProfile(profile: ShapeProfile): string {
  return Object.entries(profile).map(([n, r]) => `${n} ${show(r.min)}..${show(r.max)} (opt ${show(r.opt)})`).join('; ');
}

/** The error for shapes outside every profile: the input that is out, its shape, every profile's range. */
export function outsideProfilesError(profiles: readonly ShapeProfile[], shapes: Readonly<Record<string, readonly number[]>>): ProfileError {
  const first = profiles[0];
  const out = first ? Object.keys(first).find((n) => !profileContains({ [n]: first[n]! }, shapes)) : undefined;
  const name = out ?? Object.keys(shapes)[0] ?? '?';
  const ranges = profiles.map((p, k) => `profile ${k}: ${describeProfile(p)}`).join(' | ');
  return new ProfileError(`input '${name}' has shape ${show(shapes[name] ?? [])}, outside every optimization profile (${ranges})`, {
    where: `input '${name}'`,
    hint: "run at a shape inside a profile, add a profile that covers it, or let the session build one (onNewShape: 'build')",
  });
}

/** A one-point profile for shapes met outside every profile (onNewShape 'build'). */
export function pointProfile(shapes: Readonly<Record<string, readonly number[]>>, names: readonly string[]): ShapeProfile {
  return Object.fromEntries(names.filter((n) => shapes[n]).map((n) => [n, { min: [...shapes[n]!], opt: [...shapes[n]!], max: [...shapes[n]!] }]));
}

/** A stable string for cache keys. */
export function profileKey(profile: ShapeProfile): string {
  return JSON.stringify(Object.entries(profile).sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, r]) => [n, r.min, r.opt, r.max]));
}
