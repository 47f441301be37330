import { ExecutionError, ShapeError } from '../../errors.js';
import type { Graph } from '../../ir/graph.js';
import type { Tensor } from '../../tensor/tensor.js';
import { describeValue, isTensor, type Value } from '../../tensor/value.js';
import { concatAxis, normAxis, sliceAxis, squeezeAxis, stackAxis } from '../_kernels/pieces.js';
import type { HostContext, HostKernel } from '../op.js';
import type { Scan, ScanBatched } from './scan.op.js';

interface ScanLayout {
  inputAxes: number[];
  inputDirections: number[];
  outputAxes: number[];
  outputDirections: number[];
}

function tensorsOf(values: readonly (Value | undefined)[], what: string): Tensor[] {
  return values.map((v, k) => {
    if (!isTensor(v)) throw new ExecutionError(`${what} ${k} must be a tensor, got ${v ? describeValue(v) : 'nothing'}`);
    return v;
  });
}

/** One scan over unbatched tensors: the opset 9+ semantics. */
function scanOnce(body: Graph, states: Value[], scanIns: Tensor[], layout: ScanLayout, ctx: HostContext): Value[] {
  const axes = scanIns.map((t, k) => normAxis(layout.inputAxes[k] ?? 0, t.rank, `scan_input_axes[${k}]`));
  const lengths = scanIns.map((t, k) => t.shape[axes[k]!]!);
  const steps = lengths[0] ?? 0;
  if (lengths.some((l) => l !== steps)) throw new ShapeError(`scan inputs have different lengths along their scan axes: ${lengths.join(', ')}`);
  const nOut = body.outputs.length - states.length;
  const collected: Tensor[][] = Array.from({ length: nOut }, () => []);
  let carried = states;
  for (let t = 0; t < steps; t++) {
    const slices = scanIns.map((x, k) => {
      const at = layout.inputDirections[k] ? steps - 1 - t : t;
      return squeezeAxis(sliceAxis(x, axes[k]!, at, 1), axes[k]!);
    });
    const outs = ctx.runSubgraph(body, [...carried, ...slices]);
    carried = outs.slice(0, states.length);
    tensorsOf(outs.slice(states.length), 'scan output').forEach((o, k) => collected[k]!.push(o));
  }
  const scanOuts = collected.map((list, k) => {
    if (list.length === 0) throw new ExecutionError('a Scan over zero steps has no element shape for its scan outputs');
    const ordered = layout.outputDirections[k] ? [...list].reverse() : list;
    const axis = normAxis(layout.outputAxes[k] ?? 0, list[0]!.rank + 1, `scan_output_axes[${k}]`);
    return stackAxis(ordered, axis, list[0]!.dtype);
  });
  return [...carried, ...scanOuts];
}

export const scanCpu: HostKernel<typeof Scan.attrs> = (inputs, a, ctx) => {
  const nStates = inputs.length - a.num_scan_inputs;
  if (nStates < 0) throw new ShapeError(`num_scan_inputs ${a.num_scan_inputs} exceeds the ${inputs.length} inputs`);
  const states = inputs.slice(0, nStates).map((v, k) => {
    if (!v) throw new ExecutionError(`state input ${k} is missing`);
    return v;
  });
  const layout: ScanLayout = {
    inputAxes: a.scan_input_axes ?? [], inputDirections: a.scan_input_directions ?? [],
    outputAxes: a.scan_output_axes ?? [], outputDirections: a.scan_output_directions ?? [],
  };
  return scanOnce(a.body, states, tensorsOf(inputs.slice(nStates), 'scan input'), layout, ctx);
};

// Opset 8: runs the scan once per batch entry (over its first sequence_lens[b] steps) and stacks the results.
export const scanBatchedCpu: HostKernel<typeof ScanBatched.attrs> = ([lens, ...rest], a, ctx) => {
  const nStates = rest.length - a.num_scan_inputs;
  if (nStates < 0) throw new ShapeError(`num_scan_inputs ${a.num_scan_inputs} exceeds the ${rest.length} inputs`);
  const all = tensorsOf(rest, 'input');
  const batch = all[0]!.shape[0]!;
  if (all.some((t) => t.rank === 0 || t.shape[0] !== batch)) throw new ShapeError('every input needs the same batch size on axis 0');
  const seqLens = lens && isTensor(lens) ? lens.toNumbers() : undefined;
  const results: Tensor[][] = [];
  for (let b = 0; b < batch; b++) {
    const entry = all.map((t) => squeezeAxis(sliceAxis(t, 0, b, 1), 0));
    const scans = entry.slice(nStates).map((t) => (seqLens ? sliceAxis(t, 0, 0, seqLens[b]!) : t));
    const layout: ScanLayout = { inputAxes: [], inputDirections: a.directions ?? [], outputAxes: [], outputDirections: [] };
    results.push(tensorsOf(scanOnce(a.body, entry.slice(0, nStates), scans, layout, ctx), 'output'));
  }
  return results[0]!.map((first, k) => {
    if (seqLens && results.some((r) => r[k]!.shape.join() !== first.shape.join())) {
      throw new ExecutionError('batch entries of different sequence lengths give scan outputs of different lengths; nnrt does not pad them');
    }
    return concatAxis(results.map((r) => r[k]!.reshape([1, ...r[k]!.shape])), 0, first.dtype);
  });
};
