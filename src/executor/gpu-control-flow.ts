// If, Loop and Scan (opset 9+, and opset 8's nnrt.ScanBatched) inside a GPU run. Their subgraphs run on the GPU executor (gpu-subgraph.ts):
// enclosing values and loop-carried values stay device tensors; only what decides control is read
// back (If's condition, Loop's trip count and condition), each read a transfer in the stats. Scan
// slices its inputs and stacks its outputs on the device (device-copies.ts). Results of a node stay
// valid until the node runs again; a Loop or Scan snapshots the device values it carries into the
// next iteration, so a nested node running again never overwrites what is still to be read.
import { ExecutionError, NnrtError, ShapeError } from '../errors.js';
import { parseAttrs } from '../ir/attr.js';
import { nodeWhere, type Graph, type Node } from '../ir/graph.js';
import type { GpuDevice } from '../devices/webgpu/device.js';
import { gpuTensorView, isGpuTensor, type GpuTensor } from '../devices/webgpu/gpu-tensor.js';
import { If } from '../ops/if/if.op.js';
import { Loop } from '../ops/loop/loop.op.js';
import { stacked } from '../ops/loop/loop.cpu.js';
import { Scan, ScanBatched } from '../ops/scan/scan.op.js';
import { normAxis, sliceAxis, squeezeAxis, stackAxis } from '../ops/_kernels/pieces.js';
import { Tensor } from '../tensor/tensor.js';
import { describeValue } from '../tensor/value.js';
import { CopyBatch, deviceBytes, DeviceTranspose, HeldBuffers, moveAxis } from './device-copies.js';
import type { GpuRunStats } from './gpu-executor.js';
import { GpuSubgraph, toHost, type ChainedExecutor, type DeviceValue } from './gpu-subgraph.js';

/** Whether a node is control flow that runs its subgraphs on the GPU (SequenceMap stays on the host: sequences do). */
export function runsOnGpu(node: Node): boolean {
  return (node.domain === '' && (node.opType === 'If' || node.opType === 'Loop' || node.opType === 'Scan')) ||
    (node.domain === 'nnrt' && node.opType === 'ScanBatched');
}

type Kernel = (ins: (DeviceValue | undefined)[], scope: (name: string) => DeviceValue | undefined, stats: GpuRunStats) => Promise<DeviceValue[]>;

/** One If, Loop or Scan node of a GPU run. */
export class GpuControlFlow {
  private readonly held: HeldBuffers;
  private readonly transposes: DeviceTranspose;
  private readonly subgraphs: GpuSubgraph[] = [];
  private readonly kernel: Kernel;

  constructor(
    readonly node: Node, constants: ReadonlyMap<string, Tensor>, make: (g: Graph) => ChainedExecutor,
    private readonly gpu: GpuDevice, private readonly maxLoopIterations: number,
  ) {
    this.held = new HeldBuffers(gpu);
    this.transposes = new DeviceTranspose(make);
    const where = nodeWhere(node);
    const sub = (g: Graph) => {
      const s = new GpuSubgraph(g, constants, make);
      this.subgraphs.push(s);
      return s;
    };
    if (node.opType === 'If') {
      const a = parseAttrs(If.attrs, node.attrs, where);
      const [then, els] = [sub(a.then_branch), sub(a.else_branch)];
      this.kernel = async ([cond], scope, stats) => (scalar(cond && (await toHost(cond, stats)), 'the condition') ? then : els).call([], scope, stats);
    } else if (node.opType === 'Loop') {
      const body = sub(parseAttrs(Loop.attrs, node.attrs, where).body);
      this.kernel = (ins, scope, stats) => this.loop(body, ins, scope, stats);
    } else if (node.opType === 'Scan') {
      const a = parseAttrs(Scan.attrs, node.attrs, where);
      const body = sub(a.body);
      this.kernel = (ins, scope, stats) => this.scan(body, a, ins, scope, stats);
    } else {
      const a = parseAttrs(ScanBatched.attrs, node.attrs, where);
      const body = sub(a.body);
      this.kernel = (ins, scope, stats) => this.scanBatched(body, a, ins, scope, stats);
    }
  }

  /** Runs the node on `values` (the enclosing run's), adding its outputs there. */
  async run(values: Map<string, DeviceValue>, stats: GpuRunStats): Promise<void> {
    const node = this.node;
    try {
      this.held.releaseAll();
      const ins = node.inputs.map((n) => (n ? values.get(n) : undefined));
      node.inputs.forEach((name, k) => {
        if (name && !ins[k]) throw new ExecutionError(`input ${k} '${name}' has no value (was it produced?)`);
      });
      const outs = await this.kernel(ins, (name) => values.get(name), stats);
      node.outputs.forEach((o, k) => o && outs[k] !== undefined && values.set(o, outs[k]!));
    } catch (e) {
      if (e instanceof NnrtError && e.where) throw e;
      const Ctor = e instanceof NnrtError ? (e.constructor as typeof NnrtError) : ExecutionError;
      throw new Ctor(e instanceof Error ? e.message : String(e), { where: nodeWhere(node), cause: e });
    }
  }

  dispose(): void {
    this.held.releaseAll();
    this.transposes.dispose();
    for (const s of this.subgraphs) s.dispose();
  }

  private async loop(body: GpuSubgraph, [m, cond, ...initial]: (DeviceValue | undefined)[], scope: (name: string) => DeviceValue | undefined, stats: GpuRunStats): Promise<DeviceValue[]> {
    const tripCount = m === undefined ? undefined : scalar(await toHost(m, stats), 'the trip count M');
    const checkCond = cond !== undefined;
    let keepGoing = cond === undefined ? 1 : scalar(await toHost(cond, stats), 'the condition');
    const nCarried = initial.length;
    const nScan = body.body.outputs.length - 1 - nCarried;
    let carried = initial;
    const carry = new Carry(this.gpu, this.held);
    const parts: (GpuTensor | Tensor)[][] = Array.from({ length: nScan }, () => []);
    const batch = new CopyBatch(this.gpu, stats);
    const condForwarded = forwardsCondition(body.body);
    let i = 0;
    while ((tripCount === undefined || i < tripCount) && (!checkCond || keepGoing)) {
      if (i >= this.maxLoopIterations) {
        throw new ExecutionError(`the Loop ran ${i} iterations without ending, the limit (maxLoopIterations)`, {
          hint: tripCount !== undefined ? `its trip count is ${tripCount}; raise the session option maxLoopIterations if this many iterations are meant` : 'its condition never became false; raise the session option maxLoopIterations if the loop is meant to run longer',
        });
      }
      const feeds = i === 0 ? carried : carried.map((v, k) => carry.snapshot(k, v, batch));
      batch.submit();
      const outs = await body.call([Tensor.scalar('int64', i), Tensor.fromNumeric('bool', [], [keepGoing ? 1 : 0]), ...feeds], scope, stats);
      // a body that hands its condition input back unchanged needs no read of it (a "for" loop)
      if (!condForwarded) keepGoing = scalar(await toHost(outs[0]!, stats), 'the body\'s condition output');
      carried = outs.slice(1, 1 + nCarried);
      outs.slice(1 + nCarried).forEach((v, k) => parts[k]!.push(this.keep(v, `scan output ${k} of the body`, batch)));
      i++;
    }
    carried.forEach((v, k) => {
      if (!v) throw new ExecutionError(`loop-carried value ${k} has no value`);
    });
    const scans = parts.map((list, k) => (list.length ? this.stack(list, body.body.outputs[1 + nCarried + k]!.name, batch) : stacked([], body.body, 1 + nCarried + k)));
    batch.submit();
    this.held.releaseScratch();
    return [...(carried as DeviceValue[]), ...scans];
  }

  private async scan(
    body: GpuSubgraph, a: { num_scan_inputs: number; scan_input_axes?: number[]; scan_input_directions?: number[]; scan_output_axes?: number[]; scan_output_directions?: number[] },
    ins: (DeviceValue | undefined)[], scope: (name: string) => DeviceValue | undefined, stats: GpuRunStats, slot = '',
  ): Promise<DeviceValue[]> {
    const nStates = ins.length - a.num_scan_inputs;
    if (nStates < 0) throw new ShapeError(`num_scan_inputs ${a.num_scan_inputs} exceeds the ${ins.length} inputs`);
    const states = ins.slice(0, nStates).map((v, k) => {
      if (!v) throw new ExecutionError(`state input ${k} is missing`);
      return v;
    });
    const xs = ins.slice(nStates).map((v, k) => {
      if (!v || !(v instanceof Tensor || isGpuTensor(v))) throw new ExecutionError(`scan input ${k} must be a tensor, got ${v ? describeValue(v) : 'nothing'}`);
      return v;
    });
    const axes = xs.map((x, k) => normAxis(a.scan_input_axes?.[k] ?? 0, x.shape.length, `scan_input_axes[${k}]`));
    const lengths = xs.map((x, k) => x.shape[axes[k]!]!);
    const steps = lengths[0] ?? 0;
    if (lengths.some((l) => l !== steps)) throw new ShapeError(`scan inputs have different lengths along their scan axes: ${lengths.join(', ')}`);
    // device inputs with the scan axis first: step t is then one contiguous range
    const fronted: (GpuTensor | Tensor)[] = [];
    for (const [k, x] of xs.entries()) fronted.push(isGpuTensor(x) ? await this.transposes.run(x, moveAxis(x.shape.length, axes[k]!, 0), `${slot}in${k}`, stats) : x);
    const slices = fronted.map((x) => (isGpuTensor(x) ? this.held.tensor(x.dtype, x.shape.slice(1)) : undefined));
    const nOut = body.body.outputs.length - nStates;
    const parts: (GpuTensor | Tensor)[][] = Array.from({ length: nOut }, () => []);
    const carry = new Carry(this.gpu, this.held);
    const batch = new CopyBatch(this.gpu, stats);
    let carried: DeviceValue[] = states;
    for (let t = 0; t < steps; t++) {
      const feeds = t === 0 ? carried : carried.map((v, k) => carry.snapshot(k, v, batch));
      const stepIns = fronted.map((x, k) => {
        const at = a.scan_input_directions?.[k] ? steps - 1 - t : t;
        const slice = slices[k];
        if (!slice) return squeezeAxis(sliceAxis(xs[k] as Tensor, axes[k]!, at, 1), axes[k]!);
        const bytes = deviceBytes(slice.shape);
        batch.copy((x as GpuTensor).buffer, at * bytes, slice.buffer, 0, bytes);
        return slice;
      });
      batch.submit();
      const outs = await body.call([...feeds, ...stepIns], scope, stats);
      carried = outs.slice(0, nStates);
      outs.slice(nStates).forEach((v, k) => parts[k]!.push(this.keep(v, `scan output ${k}`, batch)));
    }
    const scanOuts: DeviceValue[] = [];
    for (const [k, list] of parts.entries()) {
      if (list.length === 0) throw new ExecutionError('a Scan over zero steps has no element shape for its scan outputs');
      const rank = list[0]!.shape.length + 1;
      const axis = normAxis(a.scan_output_axes?.[k] ?? 0, rank, `scan_output_axes[${k}]`);
      const s = this.stack(a.scan_output_directions?.[k] ? [...list].reverse() : list, body.body.outputs[nStates + k]!.name, batch, axis);
      batch.submit();
      scanOuts.push(isGpuTensor(s) ? await this.transposes.run(s, moveAxis(rank, 0, axis), `${slot}out${k}`, stats) : s);
    }
    batch.submit();
    this.held.releaseScratch();
    return [...carried, ...scanOuts];
  }

  /**
   * Opset 8: one scan per batch entry (axis 0 of every input; its scan over the first
   * sequence_lens[b] steps), the entries' results stacked on axis 0. Entries are contiguous slices.
   */
  private async scanBatched(
    body: GpuSubgraph, a: { num_scan_inputs: number; directions?: number[] }, [lens, ...rest]: (DeviceValue | undefined)[],
    scope: (name: string) => DeviceValue | undefined, stats: GpuRunStats,
  ): Promise<DeviceValue[]> {
    const nStates = rest.length - a.num_scan_inputs;
    if (nStates < 0) throw new ShapeError(`num_scan_inputs ${a.num_scan_inputs} exceeds the ${rest.length} inputs`);
    const all = rest.map((v, k) => {
      if (!v || !(v instanceof Tensor || isGpuTensor(v))) throw new ExecutionError(`input ${k} must be a tensor, got ${v ? describeValue(v) : 'nothing'}`);
      return v;
    });
    const batch = all[0]!.shape[0]!;
    if (all.some((t) => t.shape.length === 0 || t.shape[0] !== batch)) throw new ShapeError('every input needs the same batch size on axis 0');
    const seqLens = lens === undefined ? undefined : (await toHost(lens, stats) as Tensor).toNumbers();
    const batchCopies = new CopyBatch(this.gpu, stats);
    const results: DeviceValue[][] = [];
    for (let b = 0; b < batch; b++) {
      const entry = all.map((t, k) => {
        const shape = t.shape.slice(1);
        const len = k >= nStates && seqLens ? seqLens[b]! : undefined;
        if (!isGpuTensor(t)) {
          const e = squeezeAxis(sliceAxis(t, 0, b, 1), 0);
          return len === undefined ? e : sliceAxis(e, 0, 0, len);
        }
        const e = this.held.tensor(t.dtype, shape);
        batchCopies.copy(t.buffer, b * deviceBytes(shape), e.buffer, 0, deviceBytes(shape));
        // the first `len` steps of the entry are the front of its buffer
        return len === undefined ? e : gpuTensorView(this.gpu, t.dtype, [len, ...shape.slice(1)], e.buffer);
      });
      batchCopies.submit();
      const outs = await this.scan(body, { num_scan_inputs: a.num_scan_inputs, scan_input_directions: a.directions ?? [] }, entry, scope, stats, `b${b}`);
      // final states are the body's buffers, which the next entry's scan overwrites: copy them out
      results.push(outs.map((v) => (isGpuTensor(v) ? this.keepHeld(v, batchCopies) : v)));
    }
    const out = results[0]!.map((first, k) => {
      const parts = results.map((r) => r[k]) as (GpuTensor | Tensor)[];
      if (seqLens && parts.some((p) => p.shape.join() !== (first as Tensor).shape.join())) {
        throw new ExecutionError('batch entries of different sequence lengths give scan outputs of different lengths; nnrt does not pad them');
      }
      return this.stack(parts, this.node.outputs[k] ?? `output ${k}`, batchCopies);
    });
    batchCopies.submit();
    return out;
  }

  /** A copy of `v` in a buffer of this node's results. */
  private keepHeld(v: GpuTensor, batch: CopyBatch): GpuTensor {
    const copy = this.held.tensor(v.dtype, v.shape);
    batch.copy(v.buffer, 0, copy.buffer, 0, deviceBytes(v.shape));
    return copy;
  }

  /** A scan output element of one iteration, copied out of the body's buffers (host tensors are kept as they are). */
  private keep(v: DeviceValue | undefined, what: string, batch: CopyBatch): GpuTensor | Tensor {
    if (v instanceof Tensor) return v;
    if (!v || !isGpuTensor(v)) throw new ExecutionError(`${what} is ${v ? describeValue(v) : 'missing'}; scan outputs must be tensors`);
    const copy = this.held.scratch(v.dtype, v.shape);
    batch.copy(v.buffer, 0, copy.buffer, 0, deviceBytes(v.shape));
    return copy;
  }

  /**
   * Stacks per-iteration elements: on the host along `hostAxis` when all are host tensors, else on
   * the device along a new first axis.
   */
  private stack(list: (GpuTensor | Tensor)[], name: string, batch: CopyBatch, hostAxis = 0): GpuTensor | Tensor {
    const first = list[0]!;
    for (const t of list) {
      if (t.dtype !== first.dtype || t.shape.join() !== first.shape.join()) {
        throw new ExecutionError(`scan output '${name}' changes from ${first.dtype}[${first.shape.join(',')}] to ${t.dtype}[${t.shape.join(',')}] between iterations`);
      }
    }
    if (list.every((t) => t instanceof Tensor)) return stackAxis(list as Tensor[], hostAxis, first.dtype);
    const out = this.held.tensor(first.dtype, [list.length, ...first.shape]);
    const bytes = deviceBytes(first.shape);
    list.forEach((t, i) => batch.place(t, out.buffer, i * bytes));
    return out;
  }
}

/** Device buffers of a Loop's or Scan's carried values: each iteration's feeds, copied from the last one's results. */
class Carry {
  private readonly slots: GpuTensor[] = [];
  constructor(private readonly gpu: GpuDevice, private readonly held: HeldBuffers) {}

  snapshot(k: number, v: DeviceValue | undefined, batch: CopyBatch): DeviceValue | undefined {
    if (!v || !isGpuTensor(v)) return v;
    let slot = this.slots[k];
    if (slot && slot.buffer === v.buffer) return slot; // the body passed its input through
    if (!slot || slot.buffer.size < deviceBytes(v.shape)) slot = this.held.tensor(v.dtype, v.shape);
    else slot = gpuTensorView(this.gpu, v.dtype, v.shape, slot.buffer);
    this.slots[k] = slot;
    batch.copy(v.buffer, 0, slot.buffer, 0, deviceBytes(v.shape));
    return slot;
  }
}

/** Whether a Loop body's condition output is its condition input, directly or through Identity. */
function forwardsCondition(body: Graph): boolean {
  const condIn = body.inputs[1]?.name;
  let out = body.outputs[0]?.name;
  const producer = body.nodes.find((n) => n.outputs.includes(out ?? ''));
  if (producer?.opType === 'Identity' && producer.domain === '') out = producer.inputs[0];
  return condIn !== undefined && out === condIn;
}

function scalar(v: DeviceValue | undefined, what: string): number {
  if (!(v instanceof Tensor) || v.size !== 1) throw new ExecutionError(`${what} must be a tensor of one element, got ${v ? describeValue(v as never) : 'nothing'}`);
  return v.toNumbers()[0]!;
}
