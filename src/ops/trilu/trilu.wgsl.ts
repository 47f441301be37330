import { wgslType } from '../../devices/webgpu/dtype.js';
import type { BufferRef, GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { elementCount } from '../../tensor/shape.js';
import type { Trilu } from './trilu.op.js';

// Keeps element (i, j) of each trailing matrix when j − i ≥ k (upper) or j − i ≤ k (lower), else
// writes 0. k (input 1) is read on the device, so it may be computed by the graph.
export const triluWgsl: GpuKernel<typeof Trilu.attrs> = ([x, k], { upper }, [out]) => {
  const t = wgslType(x!.dtype);
  const [rows, cols] = x!.shape.slice(-2) as [number, number];
  const size = elementCount(x!.shape);
  const u = new Uniforms().add('dims', 'u32', [size, rows, cols]);
  const [SIZE, ROWS, COLS] = [0, 1, 2].map((i) => u.at('dims', i));
  const bindings: BufferRef[] = [{ input: 0 }];
  let decl = storage(0, 'X', t, 'read');
  if (k) { decl += storage(1, 'K', 'i32', 'read'); bindings.push({ input: 1 }); }
  decl += storage(bindings.length, 'Y', t, 'read_write');
  bindings.push({ output: 0 });
  const body = `if (gi >= ${SIZE}) { return; }
    let d = i32(gi % ${COLS}) - i32((gi / ${COLS}) % ${ROWS});
    let k = ${k ? 'K[0]' : '0'};
    Y[gi] = select(${t}(0), X[gi], d ${upper ? '>=' : '<='} k);`;
  return {
    programs: [{
      key: `trilu:${t}:${upper ? 'upper' : 'lower'}:${k ? 'k' : '-'}`,
      source: () => `${decl}${u.declare(bindings.length)}\n${linearMain(body)}`,
      bindings, uniforms: u, workgroups: linearDispatch(size),
    }],
  };
};
