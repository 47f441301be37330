// `nnrt build MODEL`: the whole model as one engine plan (TensorRT's trtexec --saveEngine). Every
// node must be supported; partial support is what `--engine webgpu` on verify/run/bench is for.
import { basename, dirname, join } from 'node:path';
import { sharedGpuDevice } from '../devices/webgpu/device.js';
import { defaultGpu } from '../devices/webgpu/provider.js';
import { UnsupportedError, UsageError } from '../errors.js';
import { buildEnginePlan } from '../engine/builder.js';
import { widenFloat16 } from '../ir/widen-float16.js';
import { Engine } from '../engine/runtime.js';
import { CpuEngine } from '../engine/cpu/engine.js';
import { prepareWasmKernels } from '../cpu/wasm-kernels.js';
import { inferShapes } from '../ir/infer.js';
import { loadModelFromFile, type ModelFileOptions } from '../node/load-model.js';
import { writeFileAtomic } from '../node/atomic-write.js';
import { opTyper } from '../ops/typer.js';
import { partitionGraph } from '../partition/index.js';
import { backendSupport } from '../runtime/backends.js';
import { engineSessionOptions, type EngineFlags } from './engine-flags.js';
import { calibrationFor } from '../runtime/calibrate.js';
import { readFileChecked } from '../node/files.js';
import type { Graph } from '../ir/graph.js';
import type { EnginePlan } from '../engine/plan-format.js';
import type { ShapeProfile } from '../engine/profile.js';
import { checkSessionProfiles } from '../runtime/session-profiles.js';
import { buildProfiles } from './build-profiles.js';

export interface BuildOptions extends ModelFileOptions, EngineFlags {
  /** The engine backend the plan is for (default webgpu). */
  engine?: 'webgpu' | 'cpu';
  out?: string;
  json?: boolean;
  /** Optimization profiles: one plan each, built at its opt, valid from its min to its max. */
  profiles?: ShapeProfile[];
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(2)} MiB`;

export async function build(model: string, opts: BuildOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const loaded = loadModelFromFile(model, opts).graph;
  // an fp16 model is built as sessions run it: widened to float32, its float16 inputs and outputs
  // cast at the boundary (those casts stay outside a whole-model plan: checkWholeModel says so)
  const graph = widenFloat16(loaded) ?? loaded;
  if (graph !== loaded) {
    // as a session takes it: the webgpu engine stores halves unless --precision says otherwise
    if (opts.engine !== 'cpu') opts = { ...opts, precision: opts.precision ?? 'fp16' };
    err(`nnrt: note: ${model} computes in float16: built with float32 weights${opts.engine === 'cpu' ? '' : ` and ${opts.precision} storage`}`);
  }
  const inputs = graph.inputs.filter((v) => !graph.initializers.has(v.name));
  const profiles = opts.profiles ? checkSessionProfiles(inputs, opts.profiles) : undefined;
  if (profiles && opts.engine === 'cpu') throw new UsageError('optimization profiles are for webgpu plans; a cpu plan is built at one set of shapes', { hint: 'give the shapes with --shape, one plan per shape' });
  if (profiles && opts.precision === 'int8') throw new UsageError('--precision int8 does not combine with optimization profiles yet', { hint: 'build an int8 plan at one shape (--shape), or a profile plan in fp32/fp16' });
  if (profiles) return buildProfiles(model, graph, profiles, opts, out, err);
  const shapes: Record<string, number[]> = {};
  for (const v of inputs) {
    const given = opts.inputShapes?.[v.name];
    if (given) shapes[v.name] = [...given];
    else if (v.shape.every((d) => typeof d === 'number')) shapes[v.name] = [...v.shape] as number[];
    else throw new UsageError(`input '${v.name}' has a symbolic shape [${v.shape.join(',')}]`, { hint: `give it with --shape ${v.name}=${v.shape.map((d) => (typeof d === 'number' ? d : 1)).join(',')}, or a range with --min/--opt/--max` });
  }
  if (opts.calibration && opts.precision !== 'int8') throw new UsageError('--calibration goes with --precision int8');
  if (opts.engine === 'cpu') return buildCpu(model, graph, shapes, opts, out, err);
  const calibration = opts.calibration ? calibrationFor(graph, new TextDecoder().decode(readFileChecked(opts.calibration, 'calibration cache')), opts.calibration, shapes) : undefined;
  checkWholeModel(graph, shapes);
  const setup = await engineSessionOptions({ ...opts, precision: opts.precision === 'int8' ? undefined : opts.precision }, err);
  const gpu = await sharedGpuDevice(await defaultGpu());
  const t0 = performance.now();
  let plan;
  try {
    plan = await buildEnginePlan(gpu, graph, shapes, {
      precision: opts.precision, ...(calibration ? { calibration } : {}), ...(opts.int8Float ? { floatPrecision: opts.int8Float } : {}), ...(opts.layerPrecision ? { layerPrecision: opts.layerPrecision } : {}),
      timeTactics: opts.tactics, timingCache: setup.options.timingCache, ...(opts.tacticSources ? { tacticSources: opts.tacticSources } : {}),
      log: setup.options.log, progress: setup.options.progress,
    });
  } finally {
    setup.finish();
  }
  const buildMs = performance.now() - t0;
  const engine = await Engine.load(gpu, plan);
  const target = opts.out ?? defaultPlanPath(model, plan.header.precision);
  const bytes = engine.serialize();
  writeFileAtomic(target, bytes);
  engine.dispose();
  return report(model, graph, plan, target, bytes.byteLength, buildMs, opts, out);
}

/** `nnrt build --engine cpu`: a cpu engine plan (layers, executor choices, arena, the graph as ONNX). */
async function buildCpu(model: string, graph: Graph, shapes: Record<string, number[]>, opts: BuildOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  if (opts.precision !== undefined && opts.precision !== 'fp32') throw new UsageError(`the cpu engine builds fp32 plans, not ${opts.precision}`, { hint: 'leave out --precision with --engine cpu' });
  if (opts.layerPrecision) throw new UsageError('--layer-precision is for webgpu plans; the cpu engine computes in fp32');
  checkWholeModel(graph, shapes, 'cpu');
  const setup = await engineSessionOptions(opts, err, 'cpu');
  await prepareWasmKernels();
  const t0 = performance.now();
  let engine;
  try {
    engine = CpuEngine.build(graph, shapes, { timeTactics: opts.tactics, timingCache: setup.options.timingCache, log: setup.options.log, progress: setup.options.progress });
  } finally {
    setup.finish();
  }
  const buildMs = performance.now() - t0;
  const target = opts.out ?? defaultPlanPath(model, 'cpu');
  const bytes = engine.serialize();
  writeFileAtomic(target, bytes);
  const lowered = engine.loweredLayers;
  engine.dispose();
  const code = report(model, graph, engine.plan, target, bytes.byteLength, buildMs, opts, out);
  if (!opts.json) out(`  cpu executors: ${engine.plan.layers.length - lowered.length} layers fast, ${lowered.length} lowered (framework kernels)${lowered.length ? `: ${lowered.slice(0, 8).join(', ')}${lowered.length > 8 ? ', ...' : ''}` : ''}`);
  return code;
}

export const defaultPlanPath = (model: string, precision: string) => join(dirname(model), `${basename(model).replace(/\.(onnx|json)$/, '')}.${precision}.plan`);

/** Every node must be an engine layer at these shapes (UnsupportedError naming the first few). */
export function checkWholeModel(graph: Graph, shapes: Record<string, number[]>, backend: 'webgpu' | 'cpu' = 'webgpu'): void {
  const known = inferShapes(graph, opTyper, shapes);
  const partition = partitionGraph(graph, known, { supports: backendSupport(backend), backend, minSubgraphSize: 1 });
  // Nodes whose outputs shape inference already knows (Identity of a weight, Shape → Gather) are
  // declined by the partitioner as nothing to run; the engine's importer folds them itself.
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const folded = (node: string) => byName.get(node)?.outputs.every((o) => !o || known.get(o)?.value !== undefined) ?? false;
  const declined = partition.declined.filter((d) => !folded(d.node));
  if (declined.length) {
    const list = declined.slice(0, 5).map((d) => `${d.node} (${d.op}): ${d.reason}`).join('; ');
    throw new UnsupportedError(`the ${backend} engine does not support ${declined.length} node(s) of this model: ${list}${declined.length > 5 ? '; ...' : ''}`, {
      hint: `run it with \`nnrt verify|run|bench ${backend === 'cpu' ? '--engine cpu' : '--device webgpu --engine webgpu'}\`, which partitions the graph and leaves these nodes to the framework`,
    });
  }
}

export function report(model: string, graph: Graph, plan: EnginePlan, target: string, planBytes: number, buildMs: number, opts: BuildOptions, out: (s: string) => void): number {
  const bytes = { byteLength: planBytes };
  const fused = plan.layers.filter((l) => l.from.length > 1).length;
  const summary = {
    model, plan: target, precision: plan.header.precision, adapter: plan.header.adapter.description || plan.header.adapter.vendor,
    inputs: plan.header.inputs, ...(plan.header.profile ? { profile: plan.header.profile } : {}), nodes: graph.nodes.length, layers: plan.layers.length, fusedLayers: fused,
    dispatches: plan.dispatches.length, kernels: plan.kernels.length,
    arenaBytes: plan.arenaBytes, naiveBytes: plan.naiveBytes, constantBytes: plan.constants.byteLength,
    planBytes: bytes.byteLength, buildMs: Math.round(buildMs),
    tactics: plan.layers.map((l) => ({ layer: l.name, kind: l.kind, from: l.from, tactic: l.tactic, ms: l.timeMs })),
  };
  if (opts.json) {
    out(JSON.stringify(summary, null, 2));
    return 0;
  }
  out(`built ${target} (${mb(bytes.byteLength)}) in ${(buildMs / 1000).toFixed(1)} s`);
  out(`  ${graph.nodes.length} nodes -> ${plan.layers.length} layers (${fused} fused), ${plan.dispatches.length} dispatches, ${plan.kernels.length} kernels`);
  out(`  precision ${plan.header.precision}, adapter ${summary.adapter}`);
  out(`  activations: ${mb(plan.arenaBytes)} planned arena (naive sum ${mb(plan.naiveBytes)}); weights ${mb(plan.constants.byteLength)}`);
  if (plan.header.profile) out(`  profile: ${plan.header.profile.map((p) => `${p.name} [${p.min}]..[${p.max}] (opt [${p.opt}])`).join('; ')}; tactics timed at opt`);
  return 0;
}
