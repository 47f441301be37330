// Profile checks of an engine session: every input with a symbolic dim has a range in each
// profile, and an engine's inputs stay inside the ranges its profile gave them.
import { ProfileError, UsageError } from '../errors.js';
import type { ValueInfo } from '../ir/graph.js';
import { checkProfiles, type ShapeProfile } from '../engine/profile.js';
import type { PlanProfileInput } from '../engine/plan-format.js';

/** checkProfiles, and each profile names every input whose shape is symbolic. */
export function checkSessionProfiles(inputs: readonly ValueInfo[], profiles: readonly ShapeProfile[]): ShapeProfile[] {
  const checked = checkProfiles(inputs, profiles);
  const dynamic = inputs.filter((v) => v.unknownRank || v.shape.some((d) => typeof d !== 'number' || d < 0));
  checked.forEach((p, k) => {
    const missing = dynamic.filter((v) => !p[v.name]);
    if (missing.length) {
      throw new UsageError(`profile ${k} gives no range for input${missing.length > 1 ? 's' : ''} ${missing.map((v) => `'${v.name}' [${v.shape.join(',')}]`).join(', ')}`, {
        hint: 'every input with a symbolic dim needs min, opt and max in each profile',
      });
    }
  });
  return checked;
}

/** The opt shapes of an engine's ranges. */
export function optOf(ranges: readonly PlanProfileInput[]): Record<string, number[]> {
  return Object.fromEntries(ranges.map((r) => [r.name, [...r.opt]]));
}

/** An engine input outside its range (a dim that does not grow with the model's inputs): ProfileError. */
export function checkEngineInputs(engine: string, ranges: readonly PlanProfileInput[], shapes: Readonly<Record<string, readonly number[]>>): void {
  for (const r of ranges) {
    const s = shapes[r.name];
    if (s && s.length === r.min.length && s.every((d, i) => r.min[i]! <= d && d <= r.max[i]!)) continue;
    throw new ProfileError(`engine input '${r.name}' has shape [${s?.join(',')}], outside the range [${r.min}]..[${r.max}] its profile gave it`, {
      where: engine, hint: 'add a profile whose min and max cover this shape',
    });
  }
}

/** "x=[1,3,8,8], mask=[1,16]" for the named inputs. */
export function describeShapes(shapes: Readonly<Record<string, readonly number[]>>, names: readonly string[]): string {
  return names.filter((n) => shapes[n]).map((n) => `${n}=[${shapes[n]!.join(',')}]`).join(', ');
}
