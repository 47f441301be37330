// `nnrt bench` with optimization profiles: the model is timed at each asked-for set of input
// shapes (one table each), by ONE engine session built for the profiles and reused at every shape
// (its builds and specializations reported on the row), and, with --compare-static, by an engine
// built at that very shape, with the ratio of the two medians: what a profile costs at each shape.
import { UsageError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { bindShape } from '../ir/infer.js';
import { profileShapes, type ShapeProfile } from '../engine/profile.js';
import { createSession, type Session } from '../runtime/session.js';
import { sampleInputs } from '../runtime/sample-inputs.js';
import { nnrtRunner } from './nnrt-runners.js';
import type { BenchModel, ModelReport, Precision, PreparedRunner, Runner, RunnerFactory, TimingMode } from './types.js';

export type ShapeSet = Record<string, number[]>;

/** Every profile's min, opt and max, in order, each once: the shapes timed when none are given. */
export function defaultShapeSets(profiles: readonly ShapeProfile[]): ShapeSet[] {
  const seen = new Set<string>();
  const out: ShapeSet[] = [];
  for (const p of profiles) {
    for (const point of ['min', 'opt', 'max'] as const) {
      const s = profileShapes(p, point);
      const key = JSON.stringify(s);
      if (!seen.has(key)) out.push(s), seen.add(key);
    }
  }
  return out;
}

/** "x=7x3x224x224, mask=7x128" */
export const describeShapeSet = (s: ShapeSet) => Object.entries(s).map(([n, d]) => `${n}=${d.join('x')}`).join(', ');

const parameterCount = (g: Graph) => [...g.initializers.values()].reduce((a, t) => a + t.size, 0);

/**
 * The model at one set of shapes: seeded inputs of those shapes, a fixed-shape graph (static rows,
 * peers) and the symbolic graph (profile rows). Inputs the set leaves out keep their declared shape.
 */
export function shapeBenchModel(name: string, onnx: Uint8Array, load: () => Graph, shapes: ShapeSet, seed: number, path?: string): BenchModel {
  const probe = load();
  const inputs = probe.inputs.filter((v) => !probe.initializers.has(v.name));
  for (const n of Object.keys(shapes)) {
    if (!inputs.some((v) => v.name === n)) throw new UsageError(`--shapes names input '${n}', which the model does not have`, { hint: `its inputs: ${inputs.map((v) => v.name).join(', ')}` });
  }
  const concrete = new Map(inputs.map((v) => {
    const s = shapes[v.name];
    if (s) {
      bindShape(v, s);
      return [v.name, [...s]];
    }
    if (v.shape.some((d) => typeof d !== 'number')) throw new UsageError(`--shapes ${describeShapeSet(shapes)} gives no shape for input '${v.name}' [${v.shape.join(',')}]`, { hint: `add ${v.name}=DIMS to that --shapes` });
    return [v.name, v.shape as number[]];
  }));
  const fixed = () => {
    const g = load();
    g.inputs = g.inputs.map((v) => (concrete.has(v.name) ? { ...v, shape: [...concrete.get(v.name)!] } : v));
    return g;
  };
  const first = [...concrete.values()][0];
  return {
    name: `${name} @ ${describeShapeSet(Object.fromEntries(concrete))}`, source: 'file', onnx, ...(path !== undefined ? { path } : {}),
    loadGraph: fixed, loadSymbolicGraph: load,
    inputs: sampleInputs(probe, seed, concrete), batch: first?.[0] ?? 1, parameters: parameterCount(probe),
  };
}

/**
 * The profile engine as a runner, in each timing mode: one session per precision, made at its
 * first shape and kept for every later shape and mode (`sessions` collects them for disposal), so
 * the row's builds stay at one per profile and every other shape is a specialization.
 */
export function profileRunner(profiles: readonly ShapeProfile[], precision: Precision, onNewShape: 'error' | 'build' | undefined, sessions: Session[], timeTactics = true): RunnerFactory {
  const modes: TimingMode[] = ['e2e', 'resident'];
  let kept: Promise<Session> | undefined;
  return {
    modes,
    runner: (mode): Runner => ({
      id: `nnrt-webgpu-engine${precision !== 'fp32' ? `-${precision}` : ''}-profile${mode === 'resident' ? '-resident' : ''}`,
      label: `nnrt webgpu+engine${precision !== 'fp32' ? ` ${precision}` : ''} profile`,
      kind: 'nnrt', device: 'webgpu', engine: 'webgpu', precision, mode,
      async prepare(model: BenchModel): Promise<PreparedRunner> {
        if (!model.loadSymbolicGraph) throw new UsageError('profile rows need the model with its symbolic dims');
        if (!kept) {
          kept = createSession(model.loadSymbolicGraph(), { device: 'webgpu', engine: 'webgpu', precision, profiles: [...profiles], ...(onNewShape ? { onNewShape } : {}), ...(timeTactics ? {} : { timeTactics: false }) });
          kept.then((x) => sessions.push(x), () => (kept = undefined));
        }
        const session = await kept;
        const stats = () => {
          const e = session.stats().engine;
          return e ? { builds: e.builds, partitions: e.partitions, specializations: e.specializations, specializationMs: e.specializationMs, ...(e.profile !== undefined ? { profile: e.profile } : {}) } : undefined;
        };
        const layerTimes = session.layerTimes && (() => session.layerTimes!());
        if (mode === 'e2e') return { run: () => session.run(model.inputs), dispose: () => {}, profileStats: stats, ...(layerTimes ? { layerTimes } : {}) };
        const onDevice = Object.fromEntries(Object.entries(model.inputs).map(([k, t]) => [k, session.upload!(t)]));
        return {
          run: () => session.runOnDevice!(onDevice),
          dispose: () => { for (const t of Object.values(onDevice)) t.buffer.destroy(); },
          profileStats: stats,
          ...(layerTimes ? { layerTimes } : {}),
        };
      },
    }),
  };
}

/** The engine built at each row's own shape (fixed-shape graph), labelled as the static comparison. */
export function staticRunner(precision: Precision, timeTactics = true): RunnerFactory {
  const f = nnrtRunner({ device: 'webgpu', engine: 'webgpu', precision, ...(timeTactics ? {} : { timeTactics: false }) });
  return {
    modes: f.modes,
    runner: (mode) => {
      const r = f.runner(mode);
      return { ...r, id: `nnrt-webgpu-engine${precision !== 'fp32' ? `-${precision}` : ''}-static${mode === 'resident' ? '-resident' : ''}`, label: `${r.label} static (built at this shape)` };
    },
  };
}

/** Each profile row's median ÷ the static row's of the same precision and mode (`vsStatic`: above 1 the profile is slower). */
export function compareWithStatic(m: ModelReport): void {
  for (const r of m.rows) {
    if (r.status !== 'ok' || !r.id.includes('-profile')) continue;
    const s = m.rows.find((x) => x.status === 'ok' && x.id === r.id.replace('-profile', '-static'));
    if (s?.timing && r.timing) r.vsStatic = r.timing.median / s.timing.median;
  }
}
