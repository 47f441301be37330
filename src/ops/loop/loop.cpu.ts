import { ExecutionError } from '../../errors.js';
import type { Graph } from '../../ir/graph.js';
import { Tensor } from '../../tensor/tensor.js';
import { describeValue, isTensor, type Value } from '../../tensor/value.js';
import { stackAxis } from '../_kernels/pieces.js';
import type { HostKernel } from '../op.js';
import type { Loop } from './loop.op.js';

function scalarOf(v: Value | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (!isTensor(v) || v.size !== 1) throw new ExecutionError(`${what} must be a tensor of one element, got ${describeValue(v)}`);
  return v.toNumbers()[0]!;
}

export const loopCpu: HostKernel<typeof Loop.attrs> = ([m, cond, ...initial], { body }, ctx) => {
  const tripCount = scalarOf(m, 'the trip count M');
  let keepGoing = scalarOf(cond, 'the condition') ?? 1;
  const checkCond = cond !== undefined;
  const nCarried = initial.length;
  const nScan = body.outputs.length - 1 - nCarried;
  let carried: (Value | undefined)[] = initial;
  const scans: Tensor[][] = Array.from({ length: nScan }, () => []);
  let i = 0;
  while ((tripCount === undefined || i < tripCount) && (!checkCond || keepGoing)) {
    if (i >= ctx.maxLoopIterations) {
      throw new ExecutionError(`the Loop ran ${i} iterations without ending, the limit (maxLoopIterations)`, {
        hint: tripCount !== undefined ? `its trip count is ${tripCount}; raise the session option maxLoopIterations if this many iterations are meant` : 'its condition never became false; raise the session option maxLoopIterations if the loop is meant to run longer',
      });
    }
    const outs = ctx.runSubgraph(body, [Tensor.scalar('int64', i), Tensor.fromNumeric('bool', [], [keepGoing ? 1 : 0]), ...carried]);
    keepGoing = scalarOf(outs[0], 'the body\'s condition output')!;
    carried = outs.slice(1, 1 + nCarried);
    outs.slice(1 + nCarried).forEach((v, k) => {
      if (!isTensor(v)) throw new ExecutionError(`scan output ${k} of the body is ${describeValue(v)}; scan outputs must be tensors`);
      scans[k]!.push(v);
    });
    i++;
  }
  return [...carried.map((v, k) => {
    if (!v) throw new ExecutionError(`loop-carried value ${k} has no value`);
    return v;
  }), ...scans.map((list, k) => stacked(list, body, 1 + nCarried + k))];
};

/** Scan outputs stack the per-iteration tensors on a new first axis; zero iterations give [0, ...]. */
export function stacked(list: Tensor[], body: Graph, output: number): Tensor {
  if (list.length) {
    const first = list[0]!;
    for (const t of list) {
      if (t.dtype !== first.dtype || t.shape.join() !== first.shape.join()) {
        throw new ExecutionError(`scan output '${body.outputs[output]!.name}' changes from ${first.dtype}[${first.shape.join(',')}] to ${t.dtype}[${t.shape.join(',')}] between iterations`);
      }
    }
    return stackAxis(list, 0, first.dtype);
  }
  const decl = body.outputs[output]!;
  if (!decl.dtype) throw new ExecutionError(`the Loop ran zero iterations and the body does not declare the type of scan output '${decl.name}'`);
  const elem = decl.shape?.every((d) => typeof d === 'number') ? (decl.shape as number[]) : [];
  return new Tensor(decl.dtype, [0, ...elem]);
}
