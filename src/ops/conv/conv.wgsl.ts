import { narrow } from '../../devices/webgpu/elementwise.js';
import { gemmProgram } from '../../devices/webgpu/gemm.js';
import type { GpuKernel, Program } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import type { TensorType, InferInput } from '../op.js';
import { windowPads } from '../_kernels/window.js';
import { convGeometry, type Conv } from './conv.op.js';

/** 1-D and 2-D convolutions as 2-D: [N, C, H, W] geometry with per-axis kernel/stride/dilation/pad. */
interface Geometry {
  n: number; c: number; h: number; w: number;
  m: number; oh: number; ow: number;
  kh: number; kw: number;
  group: number;
  /** [strideH, strideW, dilationH, dilationW, padTop, padLeft]. */
  window: number[];
}

function geometry(x: InferInput, w: InferInput, out: TensorType, a: Parameters<typeof convGeometry>[2]): Geometry | string {
  const spatial = x.shape.length - 2;
  if (spatial > 2) return `${spatial}-D convolution`;
  const { window } = convGeometry(x.shape, w.shape, a);
  const image = x.shape.slice(2);
  const pads = windowPads(image, out.shape.slice(2), window);
  const two = (v: number[], fill: number) => (spatial === 1 ? [fill, v[0]!] : [v[0]!, v[1]!]);
  const [h, wd] = two(image, 1);
  const [oh, ow] = two(out.shape.slice(2), 1);
  const [kh, kw] = two(window.kernel, 1);
  return {
    n: x.shape[0]!, c: x.shape[1]!, h: h!, w: wd!, m: w.shape[0]!, oh: oh!, ow: ow!, kh: kh!, kw: kw!, group: a.group,
    window: [...two(window.strides, 1), ...two(window.dilations, 1), ...two(pads.slice(0, spatial), 0)],
  };
}

function uniformsOf(g: Geometry): Uniforms {
  return new Uniforms()
    .add('x', 'u32', [g.n, g.c, g.h, g.w])
    .add('y', 'u32', [g.m, g.oh, g.ow, g.group])
    .add('k', 'u32', [g.kh, g.kw])
    .add('win', 'i32', g.window);
}

// Y = X ⋆ W + B. Grouped convolutions run as implicit GEMMs (one per group: M = output channels of
// the group, N = batch·OH·OW, K = input channels of the group·KH·KW, X read through im2col
// addressing in the tile loads); depthwise ones (one input channel per group) read their small
// window directly, one output per invocation.
export const convWgsl: GpuKernel<typeof Conv.attrs> = ([x, w, b], a, [out]) => {
  const g = geometry(x!, w!, out!, a);
  if (typeof g === 'string') return g;
  return { programs: [g.c / g.group === 1 ? depthwise(g, !!b, out!) : implicitGemm(g, !!b, out!)] };
};

function implicitGemm(g: Geometry, bias: boolean, out: TensorType): Program {
  const u = uniformsOf(g);
  const [C, H, W] = [1, 2, 3].map((i) => u.at('x', i));
  const [Mall, OH, OW, G] = [0, 1, 2, 3].map((i) => u.at('y', i));
  const [KH, KW] = [u.at('k', 0), u.at('k', 1)];
  const [SH, SW, DH, DW, PT, PL] = [0, 1, 2, 3, 4, 5].map((i) => u.at('win', i));
  // A 1×1 window with stride 1 and no padding reads X as a plain [K, H·W] matrix per image.
  const pointwise = g.kh === 1 && g.kw === 1 && g.window.slice(0, 2).every((s) => s === 1) && g.window.slice(4).every((p) => p === 0);
  const columnB = pointwise
    ? `let img = bn / (${OH} * ${OW});
  bBase = (img * ${C} + grp * (${C} / ${G})) * ${H} * ${W} + bn % (${OH} * ${OW});`
    : `let img = bn / (${OH} * ${OW});
  let p = bn % (${OH} * ${OW});
  bIh = i32(p / ${OW}) * ${SH} - ${PT};
  bIw = i32(p % ${OW}) * ${SW} - ${PL};
  bBase = (img * ${C} + grp * (${C} / ${G})) * ${H} * ${W};`;
  const loadB = pointwise
    ? `return X[bBase + k * ${H} * ${W}];`
    : `let ci = k / (${KH} * ${KW});
  let r = k % (${KH} * ${KW});
  let ih = bIh + i32(r / ${KW}) * ${DH};
  let iw = bIw + i32(r % ${KW}) * ${DW};
  if (ih < 0 || iw < 0 || ih >= i32(${H}) || iw >= i32(${W})) { return 0.0; }
  return X[bBase + (ci * ${H} + u32(ih)) * ${W} + u32(iw)];`;
  const mg = g.m / g.group;
  return gemmProgram({
    key: `conv:${pointwise ? 'pointwise' : 'im2col'}:b${bias ? 1 : 0}:${out.dtype}`,
    decls: storage(0, 'X', 'f32', 'read') + storage(1, 'Wt', 'f32', 'read') + (bias ? storage(2, 'B', 'f32', 'read') : '') +
      storage(bias ? 3 : 2, 'Y', 'f32', 'read_write'),
    bindings: [{ input: 0 }, { input: 1 }, ...(bias ? [{ input: 2 }] : []), { output: 0 }],
    uniforms: u,
    globals: 'var<private> grp: u32 = 0u;\nvar<private> bBase: u32 = 0u;\nvar<private> bIh: i32 = 0;\nvar<private> bIw: i32 = 0;',
    prologue: 'grp = batch;',
    columnB,
    M: `${Mall} / ${G}`,
    N: `${u.at('x', 0)} * ${OH} * ${OW}`,
    K: `${C} / ${G} * ${KH} * ${KW}`,
    loadA: `return Wt[(grp * (${Mall} / ${G}) + m) * (${C} / ${G} * ${KH} * ${KW}) + k];`,
    loadB,
    store: `let co = grp * (${Mall} / ${G}) + m;
  let img = n / (${OH} * ${OW});
  let p = n % (${OH} * ${OW});
  Y[(img * ${Mall} + co) * ${OH} * ${OW} + p] = ${narrow(bias ? 'v + B[co]' : 'v', out.dtype)};`,
    batches: g.group, m: mg, n: g.n * g.oh * g.ow,
  });
}

function depthwise(g: Geometry, bias: boolean, out: TensorType): Program {
  const u = uniformsOf(g);
  const size = g.n * g.m * g.oh * g.ow;
  u.add('size', 'u32', size);
  const [C, H, W] = [1, 2, 3].map((i) => u.at('x', i));
  const [Mall, OH, OW, G] = [0, 1, 2, 3].map((i) => u.at('y', i));
  const [KH, KW] = [u.at('k', 0), u.at('k', 1)];
  const [SH, SW, DH, DW, PT, PL] = [0, 1, 2, 3, 4, 5].map((i) => u.at('win', i));
  const body = `if (gi >= ${u.at('size')}) { return; }
    let ow = gi % ${OW};
    let oh = (gi / ${OW}) % ${OH};
    let co = (gi / (${OW} * ${OH})) % ${Mall};
    let img = gi / (${OW} * ${OH} * ${Mall});
    let ci = co / (${Mall} / ${G});
    let xBase = (img * ${C} + ci) * ${H} * ${W};
    let wBase = co * ${KH} * ${KW};
    var acc = ${bias ? 'B[co]' : '0.0'};
    for (var kh = 0u; kh < ${KH}; kh = kh + 1u) {
      let ih = i32(oh) * ${SH} - ${PT} + i32(kh) * ${DH};
      if (ih < 0 || ih >= i32(${H})) { continue; }
      for (var kw = 0u; kw < ${KW}; kw = kw + 1u) {
        let iw = i32(ow) * ${SW} - ${PL} + i32(kw) * ${DW};
        if (iw < 0 || iw >= i32(${W})) { continue; }
        acc = fma(X[xBase + u32(ih) * ${W} + u32(iw)], Wt[wBase + kh * ${KW} + kw], acc);
      }
    }
    Y[gi] = ${narrow('acc', out.dtype)};`;
  const decls = storage(0, 'X', 'f32', 'read') + storage(1, 'Wt', 'f32', 'read') + (bias ? storage(2, 'B', 'f32', 'read') : '') +
    storage(bias ? 3 : 2, 'Y', 'f32', 'read_write');
  const bindings = [{ input: 0 }, { input: 1 }, ...(bias ? [{ input: 2 }] : []), { output: 0 }];
  return {
    key: `conv-depthwise:b${bias ? 1 : 0}:${out.dtype}`,
    source: () => `${decls}${u.declare(bindings.length)}\n${linearMain(body)}`,
    bindings, uniforms: u, workgroups: linearDispatch(size),
  };
}
