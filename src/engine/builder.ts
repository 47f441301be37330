/// <reference types="@webgpu/types" />
// The engine builder (TensorRT's IBuilder::buildSerializedNetwork): graph → network → passes →
// a tactic per layer, timed on the device → memory plan → an EnginePlan, ready to serialize or
// load. Everything device-specific that can be decided at build time is decided here.
import { EngineRefusalError } from './refusal.js';
import type { GpuDevice } from '../devices/webgpu/device.js';
import type { Graph } from '../ir/graph.js';
import { hashGraph } from '../ir/hash.js';
import { VERSION } from '../version.js';
import { checkBuilderConfig, type BuilderConfig, type CheckedConfig } from './config.js';
import { importNetwork } from './import.js';
import { storageBytes } from './kernels/access.js';
import { compileLayer } from './kernels/index.js';
import type { DeviceCaps } from '../devices/webgpu/caps.js';
import { verifiedCaps } from './int8-mma-check.js';
import { withEnables } from '../devices/webgpu/storage.js';
import type { KernelContext, OutputPlacement, Tactic } from './kernels/tactic.js';
import { planMemory } from './memory-plan.js';
import { isFloatTensor, type Layer, type Network } from './network.js';
import { elementCount } from '../tensor/shape.js';
import { layerOutputs, tensorInputs } from './passes/net-utils.js';
import { runPipeline } from './passes/pipeline.js';
import { PLAN_FORMAT_VERSION, type EnginePlan, type PlanDispatch, type PlanLayer, type PlanProfileInput, type PlanRegion } from './plan-format.js';
import { TacticTimer } from './timer.js';
import { layerSignature, withoutValues } from './timing-cache.js';
import { enginePipeline, timeTactics } from './tactic-timing.js';
import { layerTactics } from './layer-tactics.js';

/** A layer with the tactic chosen for it. */
interface Chosen {
  layer: Layer;
  tactic: Tactic;
  timeMs?: number;
}

/** How a plan is built beyond the builder config: a profile to record, tactics already chosen. */
export interface PlanBuildOptions {
  /** The engine inputs' ranges, recorded in the plan's header (the plan itself is at `inputShapes`). */
  profile?: PlanProfileInput[];
  /**
   * Layer name → tactic name chosen earlier (a profile's build at opt): layers take that tactic at
   * these shapes without timing (a specialization); a layer whose recorded tactic does not fit
   * here takes its first candidate.
   */
  tactics?: ReadonlyMap<string, string>;
}

/** Builds the plan of an engine for `graph` at the given input shapes. */
export async function buildEnginePlan(
  gpu: GpuDevice, graph: Graph, inputShapes: Record<string, number[]>, config: BuilderConfig = {}, opts: PlanBuildOptions = {},
): Promise<EnginePlan> {
  const cfg = checkBuilderConfig(config);
  cfg.progress({ phase: 'passes', done: 0, total: 1 });
  const caps = await verifiedCaps(gpu, cfg.log);
  const t0 = performance.now();
  const network = buildNetwork(graph, inputShapes, cfg, caps);
  cfg.progress({ phase: 'passes', done: 1, total: 1 });
  const ctx: KernelContext = { caps, tensors: network.tensors, placement: concatPlacements(network) };
  const t1 = performance.now();
  const chosen = opts.tactics ? recordedTactics(network, ctx, cfg, opts.tactics) : await chooseTactics(gpu, network, ctx, cfg);
  const t2 = performance.now();
  const plan = assemble(gpu, graph, network, chosen, cfg, inputShapes);
  // where a slow build spends its time (shader compiles are the tactics phase's share)
  cfg.log(`build: passes ${(t1 - t0).toFixed(0)} ms, tactics ${(t2 - t1).toFixed(0)} ms, memory plan and assembly ${(performance.now() - t2).toFixed(0)} ms`);
  if (opts.profile) plan.header.profile = opts.profile.map((p) => ({ name: p.name, min: [...p.min], opt: [...p.opt], max: [...p.max] }));
  // a profile build times the range's ends too: a shape far from opt (batch 1 of 1..32) gets
  // tactics timed near it when specialized, not opt's
  if (opts.profile && !opts.tactics && cfg.timeTactics) {
    const ends: { min?: Record<string, string>; max?: Record<string, string> } = {};
    for (const end of ['min', 'max'] as const) {
      const shapes = Object.fromEntries(opts.profile.map((p) => [p.name, [...p[end]]]));
      if (opts.profile.every((p) => p[end].every((d, i) => d === p.opt[i]))) continue;
      const net = buildNetwork(graph, shapes, cfg, caps);
      const picked = await chooseTactics(gpu, net, { caps, tensors: net.tensors, placement: concatPlacements(net) }, cfg);
      ends[end] = Object.fromEntries(picked.map((c) => [c.layer.name, c.tactic.name]));
      cfg.log(`profile: tactics timed at ${end} ${JSON.stringify(shapes)}`);
    }
    if (ends.min || ends.max) plan.header.profileTactics = ends;
  }
  return plan;
}

/** Each layer's recorded tactic (no timing): how a profile's engine is specialized at another shape. */
function recordedTactics(net: Network, ctx: KernelContext, cfg: CheckedConfig, recorded: ReadonlyMap<string, string>): Chosen[] {
  return net.layers.map((layer) => {
    const fits = layerTactics(layer, ctx, cfg);
    const want = recorded.get(layer.name);
    const tactic = fits.find((t) => t.name === want);
    if (!tactic) cfg.log(`layer ${layer.name}: recorded tactic ${want ?? '(none)'} does not fit at these shapes; ${fits[0]!.name} instead`);
    return { layer, tactic: tactic ?? fits[0]! };
  });
}

/**
 * Import and passes for a device with `caps` (fp16 storage depends on shader-f16): the network
 * whose layers get tactics. EngineRefusalError names refused nodes.
 */
export function buildNetwork(graph: Graph, inputShapes: Record<string, number[]>, cfg: CheckedConfig, caps: DeviceCaps): Network {
  const { network, passes } = runPipeline(importNetwork(graph, inputShapes, { log: cfg.log }), {
    precision: cfg.precision, layerPrecision: cfg.layerPrecision, caps, ...(cfg.int8 ? { int8: cfg.int8 } : {}), ...(cfg.equalize ? { equalize: true, ...(cfg.channelRanges ? { channelRanges: cfg.channelRanges } : {}) } : {}),
  });
  for (const p of passes) for (const change of p.changes) cfg.log(`[${p.pass}] ${change}`);
  if (network.layers.length === 0) {
    throw new EngineRefusalError({ nodes: graph.nodes.map((n) => n.name), reason: 'the graph has nothing for the engine to run once Identity nodes are removed', remedy: 'framework' }, { hint: 'run it in the framework' });
  }
  return network;
}

/** Where in-place concat inputs really write: the outermost concat output, at a channel offset. */
export function concatPlacements(net: Network): Map<string, OutputPlacement> {
  const direct = new Map<string, OutputPlacement>();
  for (const l of net.layers) {
    if (l.kind !== 'concat' || !l.inPlace) continue;
    let offset = 0;
    for (const name of l.inputs) {
      direct.set(name, { target: l.output, channelOffset: offset });
      offset += net.tensors.get(name)!.shape[1]!;
    }
  }
  // A concat output that is itself an in-place input of another concat: follow to the outermost.
  const resolved = new Map<string, OutputPlacement>();
  for (const [name, p] of direct) {
    let { target, channelOffset } = p;
    for (let next = direct.get(target); next; next = direct.get(target)) {
      channelOffset += next.channelOffset;
      target = next.target;
    }
    resolved.set(name, { target, channelOffset });
  }
  return resolved;
}

async function chooseTactics(gpu: GpuDevice, net: Network, ctx: KernelContext, cfg: CheckedConfig): Promise<Chosen[]> {
  const timer = cfg.timeTactics ? new TacticTimer(gpu) : undefined;
  const chosen: Chosen[] = [];
  let timed = 0;
  let cached = 0;
  let repeated = 0;
  let candidates = 0;
  // layers identical to one timed earlier in this build (a transformer's blocks) take its choice
  const thisBuild = new Map<string, { tactic: string; ms: number }>();
  // every layer's candidates first (the first refusal throws, as it would in order), so that the
  // kernels of every layer to be timed start compiling together before the first is timed
  const planned = net.layers.map((layer) => {
    const fits = layerTactics(layer, ctx, cfg);
    const signature = fits.length > 1 && timer ? layerSignature({ ...layerShape(layer, ctx), tactics: fits.map((t) => t.name) }) : '';
    return { fits, signature };
  });
  if (timer) compileAhead(gpu, planned, cfg);
  try {
    for (const [i, layer] of net.layers.entries()) {
      cfg.progress({ phase: 'tactics', done: i, total: net.layers.length, layer: layer.name });
      const { fits, signature } = planned[i]!;
      // the candidates (and the weights a timed one packed) are this iteration's alone from here
      planned[i] = { fits: [], signature };
      const from = layer.from.length > 1 ? ` ← ${layer.from.join(' + ')}` : '';
      if (fits.length === 1 || !timer) {
        chosen.push({ layer, tactic: fits[0]! });
        cfg.log(`layer ${layer.name} (${layer.kind}${from}): ${fits[0]!.name}${fits.length > 1 ? ' (timing off)' : ''}`);
        continue;
      }
      const hit = cfg.timingCache?.get(signature);
      const hitTactic = hit && fits.find((t) => t.name === hit.tactic);
      if (hit && hitTactic) {
        cached++;
        chosen.push({ layer, tactic: hitTactic, timeMs: hit.ms });
        cfg.log(`layer ${layer.name} (${layer.kind}${from}): ${hitTactic.name} ${hit.ms.toFixed(4)} ms (timing cache)`);
        continue;
      }
      const same = thisBuild.get(signature);
      const sameTactic = same && fits.find((t) => t.name === same.tactic);
      if (same && sameTactic) {
        repeated++;
        chosen.push({ layer, tactic: sameTactic, timeMs: same.ms });
        cfg.log(`layer ${layer.name} (${layer.kind}${from}): ${sameTactic.name} ${same.ms.toFixed(4)} ms (as an identical layer above)`);
        continue;
      }
      const times = await timeTactics(gpu, timer, fits, ctx, layer.name);
      timed++;
      candidates += fits.length;
      let best = 0;
      times.forEach((t, k) => { if (t < times[best]!) best = k; });
      chosen.push({ layer, tactic: fits[best]!, timeMs: times[best] });
      cfg.timingCache?.set(signature, fits[best]!.name, times[best]!);
      thisBuild.set(signature, { tactic: fits[best]!.name, ms: times[best]! });
      const others = fits.map((t, k) => `${t.name} ${times[k]!.toFixed(4)}`).join(', ');
      cfg.log(`layer ${layer.name} (${layer.kind}${from}): ${fits[best]!.name} ${times[best]!.toFixed(4)} ms [${others}]`);
    }
  } finally {
    timer?.destroy();
  }
  cfg.progress({ phase: 'tactics', done: net.layers.length, total: net.layers.length });
  if (timer) cfg.log(`tactics: ${timed} layers timed (${timer.method}; ${candidates} candidates compiled and run), ${repeated} as identical layers of this build, ${cached} from the timing cache`);
  return chosen;
}

/**
 * Starts compiling the candidates of every layer that will be timed (more than one candidate, not
 * in the timing cache, the first of its signature). Dawn compiles asynchronous pipelines on worker
 * threads and a cold driver compile is tens of ms each (a ResNet-50 build compiles ~300 on a
 * fresh GPU machine): started together they overlap each other and the timing runs. A failure is
 * seen again, and reported, when that candidate is timed.
 */
function compileAhead(gpu: GpuDevice, candidates: readonly { fits: Tactic[]; signature: string }[], cfg: CheckedConfig): void {
  const seen = new Set<string>();
  for (const { fits, signature } of candidates) {
    if (!signature || seen.has(signature) || cfg.timingCache?.get(signature)) continue;
    seen.add(signature);
    for (const t of fits) for (const p of t.programs) enginePipeline(gpu, p.wgsl).catch(() => undefined);
  }
}

/** What a layer's kernels depend on, without its weight values: the timing-cache signature. */
export function layerShape(layer: Layer, ctx: KernelContext): object {
  const tensor = (n: string) => {
    const t = ctx.tensors.get(n)!;
    return [t.shape, t.format.layout, t.format.storage, ctx.placement.get(n)?.channelOffset ?? null];
  };
  const { name: _n, from: _f, ...rest } = layer as unknown as Record<string, unknown>;
  // tensors by their place among the layer's inputs and outputs, not their names: a transformer's
  // twelve blocks are twelve layers of one signature
  const io = [...tensorInputs(layer), ...layerOutputs(layer)];
  const place = new Map(io.map((n, k) => [n, `#${k}`]));
  const renamed = (v: unknown): unknown => {
    if (typeof v === 'string') return place.get(v) ?? v;
    if (Array.isArray(v)) return v.map(renamed);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renamed(x)]));
    return v;
  };
  // weights and other constants (typed arrays at any depth: a layer's f32 weights, the int8
  // layers' Int8Array/Int32Array, a Gather's table among its `constants`) count by type and length
  return { attrs: renamed(withoutValues(rest)) as object, io: io.map(tensor) };
}

const align = (n: number, a: number) => Math.ceil(n / a) * a;

/**
 * The optional device features the kernels need: 'shader-f16' when any uses the f16 type, and
 * 'subgroups' with 'chromium-experimental-subgroup-matrix' when any multiplies subgroup matrices.
 */
export function kernelFeatures(kernels: readonly string[]): string[] {
  const f16 = kernels.some((k) => withEnables(k) !== k || /^\s*enable f16\s*;/m.test(k));
  const mma = kernels.some((k) => /^\s*enable chromium_experimental_subgroup_matrix\s*;/m.test(k));
  return [...(f16 ? ['shader-f16'] : []), ...(mma ? ['subgroups', 'chromium-experimental-subgroup-matrix'] : [])];
}
const words = (n: number) => Math.max(4, align(n, 4));

function assemble(gpu: GpuDevice, graph: Graph, net: Network, chosen: Chosen[], cfg: CheckedConfig, inputShapes: Record<string, number[]>): EnginePlan {
  cfg.progress({ phase: 'memory', done: 0, total: 1 });
  const alignment = gpu.limits.minStorageBufferOffsetAlignment;
  const placement = concatPlacements(net);
  // Which tensor owns the memory each tensor lives in: views share their input's, in-place concat
  // inputs live in the concat output.
  const owner = new Map<string, string>();
  const ownerOf = (n: string): string => {
    const o = owner.get(n);
    return o === undefined || o === n ? n : ownerOf(o);
  };
  for (const [name, p] of placement) owner.set(name, p.target);
  for (const c of chosen) {
    if (c.tactic.programs.length === 0 && (c.layer.kind === 'reshape' || c.layer.kind === 'transpose')) owner.set(c.layer.output, c.layer.input);
  }

  const first = new Map<string, number>();
  const last = new Map<string, number>();
  const touch = (n: string, step: number) => {
    const o = ownerOf(n);
    first.set(o, Math.min(first.get(o) ?? step, step));
    last.set(o, Math.max(last.get(o) ?? step, step));
  };
  for (const n of net.inputs) touch(n, 0);
  chosen.forEach((c, i) => {
    for (const n of [...tensorInputs(c.layer), ...layerOutputs(c.layer)]) touch(n, i);
  });
  for (const n of net.outputs) touch(n, chosen.length);
  const bytesOf = (n: string) => {
    const t = net.tensors.get(n)!;
    return words(storageBytes(elementCount(t.shape), t.format.storage));
  };
  const values = [...first.keys()].map((id) => ({ id, bytes: bytesOf(id), first: first.get(id)!, last: last.get(id)! }));
  chosen.forEach((c, i) => c.tactic.scratch.forEach((bytes, k) => values.push({ id: `scratch:${i}:${k}`, bytes: words(bytes), first: i, last: i })));
  const memory = planMemory(values, alignment);
  if (memory.arenaBytes > cfg.memoryBudget) {
    throw new EngineRefusalError({ nodes: [], reason: `the engine needs ${memory.arenaBytes} bytes of activation memory, over the budget of ${cfg.memoryBudget}`, remedy: 'framework' }, { hint: 'raise the memory budget or use smaller inputs' });
  }
  cfg.log(`memory: arena ${memory.arenaBytes} bytes for ${values.length} values (naive sum ${memory.naiveBytes})`);
  cfg.progress({ phase: 'memory', done: 1, total: 1 });

  const constantChunks: Uint8Array[] = [];
  let constantBytes = 0;
  const kernels: string[] = [];
  const kernelIndex = new Map<string, number>();
  const dispatches: PlanDispatch[] = [];
  const layers: PlanLayer[] = [];
  const region = (n: string): PlanRegion => {
    const o = ownerOf(n);
    return { buffer: 'arena', offset: memory.offsets.get(o)!, size: bytesOf(o) };
  };
  chosen.forEach((c, i) => {
    layers.push({ name: c.layer.name, kind: c.layer.kind, from: c.layer.from, tactic: c.tactic.name, ...(c.timeMs !== undefined ? { timeMs: c.timeMs } : {}) });
    const constants = c.tactic.constants.map((bytes) => {
      const offset = align(constantBytes, alignment);
      const padded = new Uint8Array(offset - constantBytes + words(bytes.byteLength));
      padded.set(bytes, offset - constantBytes);
      constantChunks.push(padded);
      constantBytes += padded.byteLength;
      return { buffer: 'constants' as const, offset, size: words(bytes.byteLength) };
    });
    for (const p of c.tactic.programs) {
      let kernel = kernelIndex.get(p.wgsl);
      if (kernel === undefined) {
        kernel = kernels.push(p.wgsl) - 1;
        kernelIndex.set(p.wgsl, kernel);
      }
      const bindings = p.bindings.map((b): PlanRegion => {
        if ('tensor' in b) return region(b.tensor);
        if ('constant' in b) return constants[b.constant]!;
        const id = `scratch:${i}:${b.scratch}`;
        return { buffer: 'arena', offset: memory.offsets.get(id)!, size: words(c.tactic.scratch[b.scratch]!) };
      });
      dispatches.push({ kernel, bindings, workgroups: p.workgroups, layer: i });
    }
  });
  const constants = new Uint8Array(constantBytes);
  let at = 0;
  for (const chunk of constantChunks) {
    constants.set(chunk, at);
    at += chunk.byteLength;
  }
  const io = (n: string) => {
    const t = net.tensors.get(n)!;
    // float edges are plain f32; integer and bool edges plain i32, as the framework holds them on the device
    if (t.format.storage !== (isFloatTensor(t) ? 'f32' : 'i32') || t.format.layout === 'nhwc') {
      throw new Error(`engine edge tensor ${n} must be plain ${isFloatTensor(t) ? 'f32' : 'i32'}, is ${t.format.layout}/${t.format.storage}`);
    }
    return { name: n, offset: region(n).offset, bytes: elementCount(t.shape) * 4 };
  };
  return {
    header: {
      format: 'nnrt-plan', formatVersion: PLAN_FORMAT_VERSION, nnrtVersion: VERSION,
      adapter: { vendor: gpu.adapter.vendor, architecture: gpu.adapter.architecture, description: gpu.adapter.description },
      precision: cfg.int8 ? 'int8' : cfg.precision, features: kernelFeatures(kernels), graphHash: hashGraph(graph, { weights: true }),
      inputs: net.inputs.map((n) => {
        const dtype = graph.inputs.find((v) => v.name === n)?.dtype;
        const integer = dtype === 'int64' || dtype === 'int32' || dtype === 'bool';
        return { name: n, shape: inputShapes[n] ?? net.tensors.get(n)!.shape, ...(integer ? { dtype } : {}) };
      }),
      outputs: net.outputs.map((n) => {
        // an integer output is what the graph declares (int64 when it does not say), held as i32
        const t = net.tensors.get(n)!;
        const declared = graph.outputs.find((v) => v.name === n)?.dtype;
        const dtype = t.dtype === 'bool' ? 'bool' : t.dtype === 'int32' ? (declared === 'int32' ? 'int32' : 'int64') : undefined;
        return { name: n, shape: t.shape, ...(dtype ? { dtype } : {}) };
      }),
    },
    kernels, dispatches, layers, arenaBytes: memory.arenaBytes, naiveBytes: memory.naiveBytes,
    io: { inputs: net.inputs.map(io), outputs: net.outputs.map(io) },
    constants,
  };
}
