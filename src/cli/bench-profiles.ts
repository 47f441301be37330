// `nnrt bench MODEL.onnx --min/--opt/--max (or --profile ...) [--shapes SET ...] [--compare-static]`:
// the model timed at each shape set by one profile engine session (src/bench/profile-rows.ts), and
// by an engine built at that shape with --compare-static; onnxruntime rows as usual.
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { ModelSource } from '../bench/bench.js';
import { compareWithStatic, defaultShapeSets, profileRunner, shapeBenchModel, staticRunner, type ShapeSet } from '../bench/profile-rows.js';
import { runnersInModes } from '../bench/bench.js';
import type { ModelReport, Precision, Runner, RunnerFactory, TimingMode } from '../bench/types.js';
import { UsageError } from '../errors.js';
import { loadOnnxFile, readFileChecked } from '../node/files.js';
import type { ShapeProfile } from '../engine/profile.js';
import type { Session } from '../runtime/session.js';
import { checkSessionProfiles } from '../runtime/session-profiles.js';
import { parseDims } from './profile-flags.js';

export interface ProfileBench {
  sources: ModelSource[];
  /** The profile rows (per precision and mode), the static rows with --compare-static, then `peers`. */
  runners: Runner[];
  shapes: ShapeSet[];
  /** Fills in each report's vsStatic. */
  finish(models: ModelReport[]): void;
  /** Disposes the profile sessions kept across shapes. */
  close(): void;
}

/**
 * One --shapes value: a set of input shapes, inputs separated by ',' or ';' before the next NAME=
 * ('ids=1x128,mask=1x128'; dims may use commas too: 'x=8,3,224,224').
 */
export function parseShapeSet(spec: string): ShapeSet {
  const out: ShapeSet = {};
  for (const part of spec.split(/[,;](?=\s*[A-Za-z_][\w.:/-]*=)/)) {
    const eq = part.indexOf('=');
    if (eq < 1) throw new UsageError(`--shapes '${spec}' must look like NAME=DIMS[,NAME=DIMS...], e.g. input=8x3x224x224`);
    const name = part.slice(0, eq).trim();
    if (out[name]) throw new UsageError(`--shapes '${spec}' gives input '${name}' twice`);
    out[name] = parseDims('--shapes', name, part.slice(eq + 1).trim());
  }
  return out;
}

export function profileBench(args: string[], profiles: ShapeProfile[], o: {
  shapes?: string[]; compareStatic?: boolean; precision: Precision[]; modes: TimingMode[]; seed: number;
  onNewShape?: 'error' | 'build'; batch?: number; input?: string[]; peers: RunnerFactory[]; tactics?: boolean;
}): ProfileBench {
  if (args.length !== 1) throw new UsageError(`profile flags bench one model; ${args.length} given`, { hint: 'give one .onnx file with symbolic dims' });
  if (o.batch !== undefined) throw new UsageError('--batch does not combine with profile flags', { hint: 'give the shapes to time with --shapes' });
  if (o.input?.length) throw new UsageError('--input does not combine with profile flags', { hint: 'profile rows run seeded inputs at each --shapes' });
  const path = args[0]!;
  if (!existsSync(path)) throw new UsageError(`'${path}' is not a file; profile flags bench an .onnx file with symbolic dims`);
  const file = basename(path).replace(/\.onnx$/i, '');
  const name = file === 'model' ? basename(dirname(path)) || file : file;
  const load = () => loadOnnxFile(path).graph;
  const probe = load();
  const checked = checkSessionProfiles(probe.inputs.filter((v) => !probe.initializers.has(v.name)), profiles);
  const shapes = o.shapes?.length ? o.shapes.map(parseShapeSet) : defaultShapeSets(checked);
  const onnx = readFileChecked(path, 'model');
  const sessions: Session[] = [];
  const factories = [
    ...o.precision.map((p) => profileRunner(checked, p, o.onNewShape, sessions, o.tactics !== false)),
    ...(o.compareStatic ? o.precision.map((p) => staticRunner(p, o.tactics !== false)) : []),
    ...o.peers,
  ];
  return {
    sources: shapes.map((s, k) => ({ name: `${name} @ shapes ${k}`, load: () => shapeBenchModel(name, onnx, load, s, o.seed, path) })),
    runners: runnersInModes(factories, o.modes),
    shapes,
    finish: (models) => models.forEach(compareWithStatic),
    close: () => sessions.forEach((s) => s.dispose()),
  };
}
