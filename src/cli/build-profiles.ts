// `nnrt build MODEL --min/--opt/--max` (or --profile ...): one plan per optimization profile,
// tactics timed at its opt, checked at its max (the arena every shape in range runs in), with the
// model's graph inside (ONNX) so a later process specializes it at any shape in range. One profile
// writes a single plan; several write ONE plan set file holding every profile (engine/plan-set.ts).
import { sharedGpuDevice } from '../devices/webgpu/device.js';
import { defaultGpu } from '../devices/webgpu/provider.js';
import { buildEnginePlan } from '../engine/builder.js';
import { profileShapes, type ShapeProfile } from '../engine/profile.js';
import { Engine } from '../engine/runtime.js';
import { ProfileEngine } from '../engine/specialize.js';
import { serializePlanSet } from '../engine/plan-set.js';
import type { Graph } from '../ir/graph.js';
import { writeFileAtomic } from '../node/atomic-write.js';
import { serializePlan, type EnginePlan } from '../engine/plan-format.js';
import { exportOnnx, MAX_EXPORT_OPSET, MIN_EXPORT_OPSET } from '../onnx/export/model.js';
import { checkWholeModel, defaultPlanPath, report, type BuildOptions } from './build.js';
import { engineSessionOptions } from './engine-flags.js';

export async function buildProfiles(model: string, graph: Graph, profiles: ShapeProfile[], opts: BuildOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const inputs = graph.inputs.filter((v) => !graph.initializers.has(v.name));
  const fixed = Object.fromEntries(inputs.map((v) => [v.name, v.shape.map(Number)]));
  const opset = Math.min(MAX_EXPORT_OPSET, Math.max(MIN_EXPORT_OPSET, graph.opsets.get('') ?? 17));
  const source = exportOnnx(graph, { opset, producerName: 'nnrt build (profile plan source)' });
  const target = opts.out ?? defaultPlanPath(model, opts.precision ?? 'fp32');
  const built: { plan: EnginePlan; buildMs: number; arena: number }[] = [];
  for (const [k, p] of profiles.entries()) {
    const at = (point: 'min' | 'opt' | 'max') => ({ ...fixed, ...profileShapes(p, point) });
    for (const point of ['min', 'opt', 'max'] as const) checkWholeModel(graph.clone(), at(point));
    const ranges = inputs.map((v) => ({ name: v.name, min: at('min')[v.name]!, opt: at('opt')[v.name]!, max: at('max')[v.name]! }));
    const setup = await engineSessionOptions(opts, err);
    const gpu = await sharedGpuDevice(await defaultGpu());
    const t0 = performance.now();
    let plan;
    try {
      if (profiles.length > 1 && !opts.json && !opts.quiet) err(`profile ${k} of ${profiles.length}`);
      plan = await buildEnginePlan(gpu, graph, at('opt'), {
        precision: opts.precision, timeTactics: opts.tactics, timingCache: setup.options.timingCache, ...(opts.tacticSources ? { tacticSources: opts.tacticSources } : {}),
        log: setup.options.log, progress: setup.options.progress,
      }, { profile: ranges });
    } finally {
      setup.finish();
    }
    plan.source = source;
    const engine = await Engine.load(gpu, plan);
    // the max shape's specialization sizes the arena; a profile that cannot build there fails now
    const counts = { specializations: 0, specializationMs: 0 };
    const pe = await ProfileEngine.create(gpu, graph, engine, { precision: opts.precision }, counts);
    built.push({ plan, buildMs: performance.now() - t0, arena: pe.arena.size });
    pe.dispose();
    engine.dispose();
  }
  const bytes = profiles.length === 1 ? serializePlan(built[0]!.plan) : serializePlanSet(built.map((b) => b.plan));
  writeFileAtomic(target, bytes);
  if (profiles.length === 1) {
    const { plan, buildMs, arena } = built[0]!;
    report(model, graph, plan, target, bytes.byteLength, buildMs, opts, out);
    if (!opts.json) out(`  arena for every shape in the profile: ${arena} bytes (sized at max)`);
    return 0;
  }
  // several profiles: one file; each profile's summary, then the file's
  const summaries: unknown[] = [];
  for (const [k, { plan, buildMs, arena }] of built.entries()) {
    const lines: string[] = [];
    report(model, graph, plan, target, bytes.byteLength, buildMs, opts, (l) => lines.push(l));
    if (opts.json) summaries.push({ profileIndex: k, ...JSON.parse(lines.join('\n')), arenaBytesAtMax: arena });
    else out([`profile ${k}:`, ...lines.slice(1), `  arena for every shape in the profile: ${arena} bytes (sized at max)`].join('\n'));
  }
  if (opts.json) out(JSON.stringify({ model, plan: target, planBytes: bytes.byteLength, profiles: summaries }, null, 2));
  else out(`wrote ${target} (${(bytes.byteLength / 2 ** 20).toFixed(2)} MiB): ${profiles.length} profiles in one plan; a run takes the first profile holding its shapes`);
  return 0;
}
