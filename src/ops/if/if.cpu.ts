import { ExecutionError } from '../../errors.js';
import { isTensor } from '../../tensor/value.js';
import type { HostKernel } from '../op.js';
import type { If } from './if.op.js';

export const ifCpu: HostKernel<typeof If.attrs> = ([cond], { then_branch, else_branch }, ctx) => {
  if (!isTensor(cond) || cond.size !== 1) throw new ExecutionError('the condition must be a tensor of one element');
  const branch = cond.toNumbers()[0] ? then_branch : else_branch;
  return ctx.runSubgraph(branch, []);
};
