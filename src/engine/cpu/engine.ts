// The CPU engine (the CPU backend's ICudaEngine): a network with one executor per layer, its arena
// and packed weights in one memory (memory.ts). `build` runs the same import and passes as the
// WebGPU builder, chooses executors (choose.ts) and lays out memory; `load` makes the same engine
// from a CPU plan file (the engine's graph as ONNX plus the recorded executor choices: no timing).
// A run copies the inputs into the arena, runs every layer in order and copies the outputs out.
import { ExecutionError, InputError, PlanError } from '../../errors.js';
import type { Graph } from '../../ir/graph.js';
import { hashGraph } from '../../ir/hash.js';
import { exportOnnx } from '../../onnx/export/model.js';
import { importOnnx } from '../../onnx/import/model.js';
import { Tensor } from '../../tensor/tensor.js';
import { elementCount } from '../../tensor/shape.js';
import { VERSION } from '../../version.js';
import { checkBuilderConfig, type BuilderConfig, type CheckedConfig } from '../config.js';
import type { Network } from '../network.js';
import { checkPlanBackend, checkPlanCompatible, parsePlan, PLAN_FORMAT_VERSION, serializePlan, type EnginePlan, type PlanLayer } from '../plan-format.js';
import { chooseCpuTactics, type CpuChoice } from './choose.js';
import { cpuTactics } from './index.js';
import { loweredTactic } from './lowered.js';
import { cpuSimd } from '../../cpu/kernel-binaries.js';
import { cpuEngineHasWasm, EngineMemory } from './memory.js';
import { layoutCpuMemory, type CpuMemoryLayout } from './memory-layout.js';
import { buildCpuNetwork } from './network.js';
import { LOWERED, type CpuEnv, type CpuRun } from './tactic.js';

/**
 * The adapter identity CPU plans record: their tactics were timed on the kernels of this
 * instruction set (plain or relaxed WebAssembly SIMD), or on the JavaScript ones without SIMD.
 */
export function cpuAdapter(wasm: boolean) {
  const simd = cpuSimd();
  return { vendor: 'cpu', architecture: wasm ? (simd === 'relaxed-simd' ? 'wasm-relaxed-simd' : 'wasm-simd128') : 'javascript', description: 'nnrt cpu engine' };
}

/** Opset of the graph a CPU plan carries. */
const SOURCE_OPSET = 18;

export interface CpuLoadOptions {
  /** Refuse a plan whose input shapes differ from these. */
  inputShapes?: Record<string, number[]>;
  log?: (line: string) => void;
}

export class CpuEngine {
  private readonly runs: readonly CpuRun[];
  /** The runs of the layers that run something (views and in-place concats left out). */
  private readonly active: readonly CpuRun[];
  /** Per layer: whether its executor runs nothing (a view, an in-place concat). */
  private readonly views: boolean[] = [];
  private readonly inputsAt: { name: string; at: number; count: number; shape: number[] }[];
  private readonly outputsAt: { name: string; at: number; count: number; shape: number[] }[];
  /** Layers whose fast executor failed to prepare at load and that run lowered instead, with why. */
  readonly fellBack: { layer: string; tactic: string; reason: string }[] = [];
  readonly plan: EnginePlan;

  private constructor(
    readonly graph: Graph,
    readonly network: Network,
    layout: CpuMemoryLayout,
    choices: CpuChoice[],
    header: EnginePlan['header'],
    log: (line: string) => void,
  ) {
    const wasm = cpuEngineHasWasm();
    const mem = EngineMemory.create(wasm);
    const arena = mem.alloc(layout.arenaBytes);
    const scratch = mem.alloc(Math.max(0, ...choices.map((c) => c.tactic.scratchBytes)));
    const at = (t: string) => {
      const o = layout.offsets.get(t);
      if (o === undefined) throw new Error(`tensor ${t} has no place in the arena`);
      return arena + o;
    };
    const env: CpuEnv = { mem, net: network, at, scratch };
    const layers: PlanLayer[] = [];
    try {
      this.runs = this.prepareAll(choices, env, layers, log);
    } catch (e) {
      mem.release();
      throw e;
    }
    this.active = this.runs.filter((_, i) => !this.views[i]);
    const io = (name: string) => {
      const shape = [...network.tensors.get(name)!.shape];
      return { name, at: at(name), count: elementCount(shape), shape };
    };
    this.inputsAt = network.inputs.map(io);
    this.outputsAt = network.outputs.map(io);
    this.mem = mem;
    this.plan = {
      header,
      kernels: [], dispatches: [], layers,
      arenaBytes: layout.arenaBytes, naiveBytes: layout.naiveBytes,
      io: {
        inputs: this.inputsAt.map((i) => ({ name: i.name, offset: i.at - arena, bytes: i.count * 4 })),
        outputs: this.outputsAt.map((o) => ({ name: o.name, offset: o.at - arena, bytes: o.count * 4 })),
      },
      constants: new Uint8Array(0),
    };
  }

  /** Each layer's run function; a fast executor that fails to prepare falls back to the lowered one. */
  private prepareAll(choices: CpuChoice[], env: CpuEnv, layers: PlanLayer[], log: (line: string) => void): CpuRun[] {
    return choices.map((c) => {
      let tactic = c.tactic;
      let run: CpuRun;
      try {
        run = tactic.prepare(env);
      } catch (e) {
        if (tactic.name === LOWERED) throw e;
        const reason = (e as Error).message;
        this.fellBack.push({ layer: c.layer.name, tactic: tactic.name, reason });
        log(`layer ${c.layer.name}: executor ${tactic.name} cannot be prepared (${reason}); it runs lowered`);
        tactic = loweredTactic(c.layer);
        run = tactic.prepare(env);
      }
      layers.push({ name: c.layer.name, kind: c.layer.kind, from: [...c.layer.from], tactic: tactic.name, ...(c.timeMs !== undefined && tactic === c.tactic ? { timeMs: c.timeMs } : {}) });
      this.views.push(tactic.view === true);
      return run;
    });
  }

  /** Gives the arena and the packed weights back to the kernels' memory; the engine cannot run after. */
  dispose(): void {
    this.mem.release();
    this.disposed = true;
  }

  private disposed = false;

  private readonly mem: EngineMemory;

  /** Builds the engine of `graph` at these input shapes. EngineRefusalError names refused nodes. */
  static build(graph: Graph, inputShapes: Record<string, number[]>, config: BuilderConfig = {}): CpuEngine {
    const cfg = checkBuilderConfig(config);
    cfg.progress({ phase: 'passes', done: 0, total: 1 });
    const network = buildCpuNetwork(graph, inputShapes, cfg);
    cfg.progress({ phase: 'passes', done: 1, total: 1 });
    const layout = layoutCpuMemory(network);
    cfg.log(`memory: arena ${layout.arenaBytes} bytes (naive sum ${layout.naiveBytes})`);
    const wasm = cpuEngineHasWasm();
    const choices = chooseCpuTactics(network, layout, wasm, cfg);
    return new CpuEngine(graph, network, layout, choices, header(graph, network, inputShapes, wasm), cfg.log);
  }

  /** Loads a CPU plan (file bytes or a parsed plan). PlanError for a webgpu plan or a damaged one. */
  static load(source: Uint8Array | EnginePlan, opts: CpuLoadOptions = {}): CpuEngine {
    const plan = source instanceof Uint8Array ? parsePlan(source) : source;
    checkPlanBackend(plan.header, 'cpu');
    checkPlanCompatible(plan.header, {
      nnrtVersion: VERSION, precision: 'fp32',
      inputs: opts.inputShapes && Object.entries(opts.inputShapes).map(([name, shape]) => ({ name, shape })),
    });
    if (!plan.source) throw new PlanError('malformed cpu plan: it carries no engine graph', { where: 'source', hint: 'rebuild it with `nnrt build --engine cpu`' });
    const log = opts.log ?? (() => {});
    const graph = importOnnx(plan.source).graph;
    const shapes = Object.fromEntries(plan.header.inputs.map((i) => [i.name, [...i.shape]]));
    const cfg: CheckedConfig = { ...checkBuilderConfig({ log }), timeTactics: false };
    const network = buildCpuNetwork(graph, shapes, cfg);
    const layout = layoutCpuMemory(network);
    if (layout.arenaBytes !== plan.arenaBytes) {
      throw new PlanError(`the cpu plan's arena is ${plan.arenaBytes} bytes; its graph lays out in ${layout.arenaBytes}`, { hint: 'rebuild it with `nnrt build --engine cpu`' });
    }
    const wasm = cpuEngineHasWasm();
    const recorded = new Map(plan.layers.map((l) => [l.name, l]));
    const choices = network.layers.map((layer): CpuChoice => {
      const want = recorded.get(layer.name);
      const tactic = cpuTactics(layer, network, wasm).find((t) => t.name === want?.tactic);
      if (!tactic) log(`layer ${layer.name}: recorded executor ${want?.tactic ?? '(none)'} does not apply here; it runs lowered`);
      return { layer, tactic: tactic ?? loweredTactic(layer), ...(want?.timeMs !== undefined ? { timeMs: want.timeMs } : {}) };
    });
    return new CpuEngine(graph, network, layout, choices, { ...plan.header }, log);
  }

  get inputs() {
    return this.plan.header.inputs;
  }

  get outputs() {
    return this.plan.header.outputs;
  }

  /** Names of the layers that run lowered (the framework's kernels on their ONNX lowering). */
  get loweredLayers(): string[] {
    return this.plan.layers.filter((l) => l.tactic === LOWERED).map((l) => l.name);
  }

  /** The plan file: header, layers with their executors, arena size, and the graph as ONNX. */
  serialize(): Uint8Array {
    const source = exportOnnx(this.graph, { opset: Math.max(SOURCE_OPSET, ...[...this.graph.opsets.values()]), producerName: 'nnrt build (cpu plan source)' });
    return serializePlan({ ...this.plan, source });
  }

  /** One inference: inputs by name (float32 at the plan's shapes), outputs by name. */
  run(inputs: Record<string, Tensor>): Record<string, Tensor<'float32'>> {
    if (this.disposed) throw new ExecutionError('this cpu engine was disposed', { hint: 'load or build it again' });
    const f = this.mem.f32();
    for (const i of this.inputsAt) {
      const t = inputs[i.name];
      if (!t) throw new InputError(`missing engine input '${i.name}'`, { hint: `the engine takes ${this.inputsAt.map((x) => x.name).join(', ')}` });
      if (t.dtype !== 'float32') throw new InputError(`engine input '${i.name}' must be float32, got ${t.dtype}`);
      if (t.shape.join() !== i.shape.join()) throw new InputError(`engine input '${i.name}' has shape [${t.shape}], the plan was built for [${i.shape}]`, { hint: 'build an engine for this shape' });
      f.set(t.data as Float32Array, i.at / 4);
    }
    // the pool's threads keep spinning between this run's layers (no futex wake per fork)
    this.mem.wasm?.hold();
    try {
      for (const run of this.active) run();
    } finally {
      this.mem.wasm?.release();
    }
    const out = this.mem.f32();
    const result: Record<string, Tensor<'float32'>> = {};
    for (const o of this.outputsAt) result[o.name] = new Tensor('float32', [...o.shape], out.slice(o.at / 4, o.at / 4 + o.count));
    return result;
  }

  /** Each layer's run function beside its plan entry, in run order, for per-layer timing (layer-profile.ts). */
  layerRuns(): readonly { layer: PlanLayer; run: CpuRun; view: boolean }[] {
    if (this.disposed) throw new ExecutionError('this cpu engine was disposed', { hint: 'load or build it again' });
    return this.runs.map((run, i) => ({ layer: this.plan.layers[i]!, run, view: this.views[i]! }));
  }
}

function header(graph: Graph, net: Network, inputShapes: Record<string, number[]>, wasm: boolean): EnginePlan['header'] {
  return {
    format: 'nnrt-plan', formatVersion: PLAN_FORMAT_VERSION, nnrtVersion: VERSION, backend: 'cpu',
    adapter: cpuAdapter(wasm), precision: 'fp32', graphHash: hashGraph(graph, { weights: true }),
    inputs: net.inputs.map((n) => ({ name: n, shape: inputShapes[n] ?? [...net.tensors.get(n)!.shape] })),
    outputs: net.outputs.map((n) => ({ name: n, shape: [...net.tensors.get(n)!.shape] })),
  };
}
