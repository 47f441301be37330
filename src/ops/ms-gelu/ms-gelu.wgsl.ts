// The com.microsoft Gelu family on WebGPU: elementwise programs over X and the optional bias
// (broadcast over X's last dim), with the Gelu functions ONNX Gelu uses (src/wgsl/math.ts) and
// QuickGelu as Swish's expression.
import { elementwiseProgram, type ElementwiseSpec } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { ERF, GELU, TANH } from '../../wgsl/math.js';
import { UNARY_WGSL } from '../unary/unary.wgsl.js';
import type { QuickGelu } from './ms-gelu.op.js';

const GELU_HELPERS = ERF + TANH + GELU;

/** f(X + bias) with `fn` a WGSL function of one f32; X alone when the bias is absent. */
function geluKernel(name: string, fn: string): GpuKernel {
  return ([x, bias], _a, [out]) => {
    const spec: ElementwiseSpec = { name, expr: bias ? `${fn}(x0 + x1)` : `${fn}(x0)`, helpers: GELU_HELPERS };
    return { programs: [elementwiseProgram(spec, bias ? [x!, bias] : [x!], out!)] };
  };
}

export const msGeluWgsl = geluKernel('MsGelu', 'gelu_erf_');
export const biasGeluWgsl = geluKernel('BiasGelu', 'gelu_erf_');
export const fastGeluWgsl = geluKernel('FastGelu', 'gelu_tanh_');

// x · sigmoid(alpha · x) is Swish with alpha
export const quickGeluWgsl: GpuKernel<typeof QuickGelu.attrs> = ([x], { alpha }, [out]) =>
  ({ programs: [elementwiseProgram({ name: 'QuickGelu', expr: UNARY_WGSL.Swish!.expr, params: { alpha } }, [x!], out!)] });
