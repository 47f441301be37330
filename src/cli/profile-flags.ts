// Shape-profile flags (trtexec's): --min/--opt/--max NAME=DIMS for one profile (repeat each per
// dynamic input), or --profile 'NAME=MIN:OPT:MAX[,NAME=MIN:OPT:MAX...]' once per profile for
// several; --shapes NAME=DIMS runs at that shape; --on-new-shape says what a shape outside every
// profile does. DIMS are 'x'- or comma-separated: 8x3x224x224 or 8,3,224,224.
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import type { ShapeProfile, ShapeRange } from '../engine/profile.js';

export interface ProfileFlags {
  min?: string[];
  opt?: string[];
  max?: string[];
  profile?: string[];
  onNewShape?: 'error' | 'build';
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Adds --min/--opt/--max/--profile/--on-new-shape. */
export function profileOptions(cmd: Command): Command {
  return cmd
    .option('--min <name=dims>', 'engine profile: smallest shape of a dynamic input, e.g. input=1x3x224x224 (repeat per input)', collect)
    .option('--opt <name=dims>', 'engine profile: the shape tactics are timed at (repeat per input)', collect)
    .option('--max <name=dims>', 'engine profile: largest shape of a dynamic input (repeat per input)', collect)
    .option('--profile <spec>', "an engine profile 'NAME=MIN:OPT:MAX,...', e.g. x=1x3x8x8:4x3x8x8:8x3x8x8 (repeat for several profiles)", collect)
    .addOption(new Option('--on-new-shape <what>', 'a shape outside every profile: error (exit 2) or build a new profile, announced').choices(['error', 'build']));
}

/** --shapes NAME=DIMS (repeatable): the shape to run at. */
export const shapesOption = () => new Option('--shapes <name=dims>', 'run at this input shape, e.g. input=8x3x224x224 (repeat per input; with --random-inputs)').argParser(collect);

export function parseDims(flag: string, name: string, text: string): number[] {
  const dims = text.split(/[x,]/).map((s) => Number(s.trim()));
  if (!text || dims.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new UsageError(`${flag} ${name}=${text}: dims must be positive integers separated by x, e.g. 8x3x224x224`);
  }
  return dims;
}

/** NAME=DIMS specs → shapes by name. */
export function parseShapeSpecs(flag: string, specs: readonly string[] = []): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const s of specs) {
    const eq = s.indexOf('=');
    if (eq < 1) throw new UsageError(`${flag} '${s}' must look like NAME=8x3x224x224`);
    const name = s.slice(0, eq);
    if (out[name]) throw new UsageError(`${flag} gives input '${name}' twice`);
    out[name] = parseDims(flag, name, s.slice(eq + 1));
  }
  return out;
}

/** The profiles the flags describe (none when no profile flag is given). */
export function profilesFromFlags(flags: ProfileFlags): ShapeProfile[] | undefined {
  const single = flags.min || flags.opt || flags.max;
  if (single && flags.profile) throw new UsageError('give either --min/--opt/--max (one profile) or --profile (one per profile), not both');
  if (flags.profile) return flags.profile.map(parseProfile);
  if (!single) {
    if (flags.onNewShape) throw new UsageError('--on-new-shape goes with --min/--opt/--max or --profile');
    return undefined;
  }
  const [min, opt, max] = (['min', 'opt', 'max'] as const).map((k) => parseShapeSpecs(`--${k}`, flags[k]));
  const names = new Set([...Object.keys(min!), ...Object.keys(opt!), ...Object.keys(max!)]);
  const profile: Record<string, ShapeRange> = {};
  for (const n of names) {
    const missing = (['min', 'opt', 'max'] as const).filter((k, i) => ![min, opt, max][i]![n]);
    if (missing.length) throw new UsageError(`input '${n}' needs --min, --opt and --max; --${missing.join(', --')} missing`);
    profile[n] = { min: min![n]!, opt: opt![n]!, max: max![n]! };
  }
  return [profile];
}

function parseProfile(spec: string): ShapeProfile {
  const profile: Record<string, ShapeRange> = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([^=]+)=([^:]+):([^:]+):([^:]+)$/.exec(part);
    if (!m) throw new UsageError(`--profile '${part}' must look like NAME=MIN:OPT:MAX, e.g. x=1x3x8x8:4x3x8x8:8x3x8x8`);
    const name = m[1]!;
    if (profile[name]) throw new UsageError(`--profile '${spec}' gives input '${name}' twice`);
    profile[name] = { min: parseDims('--profile', name, m[2]!), opt: parseDims('--profile', name, m[3]!), max: parseDims('--profile', name, m[4]!) };
  }
  if (Object.keys(profile).length === 0) throw new UsageError('--profile is empty');
  return profile;
}
