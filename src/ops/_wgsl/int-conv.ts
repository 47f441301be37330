// The integer convolution of ConvInteger and QLinearConv: Σ (x − x_zero_point)·(w − w_zero_point)
// over each filter's window in i32 (exact; wraps like the references), any spatial rank, groups,
// strides, dilations and padding (padding contributes 0). One invocation per output element.
import { wgslType } from '../../devices/webgpu/dtype.js';
import type { BufferRef, Program } from '../../devices/webgpu/program.js';
import { coordsOf, linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import type { InferInput, TensorType } from '../../tensor/tensor-type.js';
import { elementCount, stridesOf } from '../../tensor/shape.js';
import { convGeometry, type ConvAttrs } from '../_kernels/int-conv.js';
import type { IntOperand } from './int-matmul.js';

export interface IntConvSpec {
  /** Names the epilogue for the pipeline key (with anything else its WGSL depends on). */
  name: string;
  x: IntOperand;
  w: IntOperand;
  xZero?: IntOperand;
  wZero?: IntOperand;
  /** Further read-only inputs the epilogue uses, declared as the given WGSL names and types. */
  extra?: { at: number; name: string; type: string }[];
  /** WGSL storing `acc` (i32) into `Y[gi]`; `o1` (the output channel) is in scope. */
  epilogue: string;
  /** The WGSL element type of Y. */
  outType: string;
}

/** Index of a per-tensor-or-per-output-channel parameter for output channel `o1`. */
export const perFilter = (p: InferInput): string => (elementCount(p.shape) === 1 ? '0u' : 'o1');

export function intConvProgram(spec: IntConvSpec, attrs: ConvAttrs, out: TensorType): Program {
  const { x, w, xZero, wZero } = spec;
  const g = convGeometry(x.type.shape, w.type.shape, attrs);
  const r = g.kernel.length;
  const inSpatial = x.type.shape.slice(2);
  const cg = w.type.shape[1]!;
  const mg = w.type.shape[0]! / attrs.group;
  const u = new Uniforms()
    .add('ys', 'u32', out.shape)
    .add('xin', 'u32', inSpatial).add('xstr', 'u32', stridesOf(inSpatial)).add('ker', 'u32', g.kernel)
    .add('win', 'i32', [...g.strides, ...g.dilations, ...g.padBegin])
    .add('grp', 'u32', [x.type.shape[1]!, cg, mg, elementCount(g.kernel), elementCount(inSpatial), elementCount(out.shape)]);
  const [C, CG, MG, KSIZE, INSIZE, SIZE] = [0, 1, 2, 3, 4, 5].map((i) => u.at('grp', i));
  // Kernel offset kk → input offset, innermost dim first; `inside` turns false in the padding.
  const taps: string[] = [];
  for (let d = r - 1; d >= 0; d--) {
    taps.push(`let k${d} = rem % ${u.at('ker', d)}; rem = rem / ${u.at('ker', d)};`,
      `let i${d} = i32(o${d + 2}) * ${u.at('win', d)} - ${u.at('win', 2 * r + d)} + i32(k${d}) * ${u.at('win', r + d)};`,
      `inside = inside && i${d} >= 0 && i${d} < i32(${u.at('xin', d)});`,
      `off = off + u32(i${d}) * ${u.at('xstr', d)};`);
  }
  const reads: { at: number; name: string; type: string }[] = [
    { at: x.at, name: 'X', type: wgslType(x.type.dtype) }, { at: w.at, name: 'W', type: wgslType(w.type.dtype) },
    ...(xZero ? [{ at: xZero.at, name: 'XZ', type: wgslType(xZero.type.dtype) }] : []),
    ...(wZero ? [{ at: wZero.at, name: 'WZ', type: wgslType(wZero.type.dtype) }] : []),
    ...(spec.extra ?? []),
  ];
  const decls = reads.map((e, i) => storage(i, e.name, e.type, 'read')).join('') + storage(reads.length, 'Y', spec.outType, 'read_write');
  const body = `if (gi >= ${SIZE}) { return; }
    ${coordsOf(u, 'ys', r + 2, 'gi', 'o')}
    let xz = ${xZero ? 'i32(XZ[0])' : '0'};
    let wz = ${wZero ? `i32(WZ[${perFilter(wZero.type)}])` : '0'};
    let grp = o1 / ${MG};
    var acc = 0;
    for (var ci = 0u; ci < ${CG}; ci = ci + 1u) {
      let xBase = (o0 * ${C} + grp * ${CG} + ci) * ${INSIZE};
      let wBase = (o1 * ${CG} + ci) * ${KSIZE};
      for (var kk = 0u; kk < ${KSIZE}; kk = kk + 1u) {
        var rem = kk;
        var off = 0u;
        var inside = true;
        ${taps.join('\n        ')}
        if (inside) { acc = acc + (i32(X[xBase + off]) - xz) * (i32(W[wBase + kk]) - wz); }
      }
    }
    ${spec.epilogue}`;
  const zpKey = (p?: IntOperand) => (p ? perFilter(p.type) : '-');
  return {
    key: `intconv:${spec.name}:r${r}:${x.type.dtype}:${w.type.dtype}:${xZero ? 'z' : '-'}:${zpKey(wZero)}`,
    source: () => `${decls}${u.declare(reads.length + 1)}${linearMain(body)}`,
    bindings: [...reads.map((e): BufferRef => ({ input: e.at })), { output: 0 }],
    uniforms: u, workgroups: linearDispatch(elementCount(out.shape)),
  };
}
