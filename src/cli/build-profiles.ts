// `nnrt build MODEL --min/--opt/--max` (or --profile ...): one plan per optimization profile,
// tactics timed at its opt, checked at its max (the arena every shape in range runs in), with the
// model's graph inside (ONNX) so a later process specializes it at any shape in range.
import { sharedGpuDevice } from '../devices/webgpu/device.js';
import { defaultGpu } from '../devices/webgpu/provider.js';
import { buildEnginePlan } from '../engine/builder.js';
import { profileShapes, type ShapeProfile } from '../engine/profile.js';
import { Engine } from '../engine/runtime.js';
import { ProfileEngine } from '../engine/specialize.js';
import type { Graph } from '../ir/graph.js';
import { writeFileAtomic } from '../node/atomic-write.js';
import { exportOnnx, MAX_EXPORT_OPSET, MIN_EXPORT_OPSET } from '../onnx/export/model.js';
import { checkWholeModel, defaultPlanPath, report, type BuildOptions } from './build.js';
import { engineSessionOptions } from './engine-flags.js';

export async function buildProfiles(model: string, graph: Graph, profiles: ShapeProfile[], opts: BuildOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const inputs = graph.inputs.filter((v) => !graph.initializers.has(v.name));
  const fixed = Object.fromEntries(inputs.map((v) => [v.name, v.shape.map(Number)]));
  const opset = Math.min(MAX_EXPORT_OPSET, Math.max(MIN_EXPORT_OPSET, graph.opsets.get('') ?? 17));
  const source = exportOnnx(graph, { opset, producerName: 'nnrt build (profile plan source)' });
  for (const [k, p] of profiles.entries()) {
    const at = (point: 'min' | 'opt' | 'max') => ({ ...fixed, ...profileShapes(p, point) });
    for (const point of ['min', 'opt', 'max'] as const) checkWholeModel(graph.clone(), at(point));
    const ranges = inputs.map((v) => ({ name: v.name, min: at('min')[v.name]!, opt: at('opt')[v.name]!, max: at('max')[v.name]! }));
    const setup = await engineSessionOptions(opts, err);
    const gpu = await sharedGpuDevice(await defaultGpu());
    const t0 = performance.now();
    let plan;
    try {
      plan = await buildEnginePlan(gpu, graph, at('opt'), {
        precision: opts.precision, timeTactics: opts.tactics, timingCache: setup.options.timingCache,
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
    const buildMs = performance.now() - t0;
    const target = profiles.length === 1 ? opts.out ?? defaultPlanPath(model, plan.header.precision) : (opts.out ?? defaultPlanPath(model, plan.header.precision)).replace(/(\.plan)?$/, `.p${k}.plan`);
    const bytes = engine.serialize();
    writeFileAtomic(target, bytes);
    report(model, graph, plan, target, bytes.byteLength, buildMs, opts, out);
    if (!opts.json) out(`  arena for every shape in the profile: ${pe.arena.size} bytes (sized at max)`);
    pe.dispose();
    engine.dispose();
  }
  return 0;
}
