// WebGPU kernels of the broadcasting multi-input elementwise ops: arithmetic, comparisons, logic,
// and the variadic Max/Min/Sum/Mean, each one WGSL expression over x0, x1, ... (device types).
import { RegistrationError } from '../../errors.js';
import { elementwiseProgram } from '../../devices/webgpu/elementwise.js';
import { wgslType, type WgslScalar } from '../../devices/webgpu/dtype.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { POW } from '../../wgsl/math.js';

const cmp = (op: string) => `select(0u, 1u, x0 ${op} x1)`;
const ANY: readonly WgslScalar[] = ['f32', 'i32', 'u32'];

interface BinaryEntry {
  expr: (types: WgslScalar[]) => string;
  types: readonly WgslScalar[];
  helpers?: string;
  /** Whether the inputs may differ in dtype (Pow's exponent). */
  mixed?: boolean;
}

export const BINARY_WGSL: Record<string, BinaryEntry> = {
  Add: { expr: () => 'x0 + x1', types: ANY },
  Sub: { expr: () => 'x0 - x1', types: ANY },
  Mul: { expr: () => 'x0 * x1', types: ANY },
  Div: { expr: () => 'x0 / x1', types: ANY }, // WGSL integer division truncates toward zero, like C
  Pow: {
    expr: ([b]) => (b === 'f32' ? 'pow_(x0, f32(x1))' : `${b}(round(pow_(f32(x0), f32(x1))))`),
    types: ['f32', 'i32'], helpers: POW, mixed: true,
  },
  PRelu: { expr: ([t]) => `select(x0 * x1, x0, x0 >= ${t}(0))`, types: ['f32', 'i32'] },
  Equal: { expr: () => cmp('=='), types: ANY },
  Less: { expr: () => cmp('<'), types: ANY },
  Greater: { expr: () => cmp('>'), types: ANY },
  LessOrEqual: { expr: () => cmp('<='), types: ANY },
  GreaterOrEqual: { expr: () => cmp('>='), types: ANY },
  And: { expr: () => 'x0 & x1', types: ['u32'] },
  Or: { expr: () => 'x0 | x1', types: ['u32'] },
  Xor: { expr: () => 'x0 ^ x1', types: ['u32'] },
  BitwiseAnd: { expr: () => 'x0 & x1', types: ['i32', 'u32'] },
  BitwiseOr: { expr: () => 'x0 | x1', types: ['i32', 'u32'] },
  BitwiseXor: { expr: () => 'x0 ^ x1', types: ['i32', 'u32'] },
};

export function binaryKernel(op: string): GpuKernel {
  const entry = BINARY_WGSL[op];
  if (!entry) throw new RegistrationError(`binary op '${op}' has no WGSL expression`, { hint: 'add it to BINARY_WGSL' });
  return (inputs, _attrs, [out]) => {
    const types = inputs.map((t) => wgslType(t!.dtype));
    if (!entry.types.includes(types[0]!)) return `${op} has no WGSL form for ${inputs[0]!.dtype}`;
    if (!entry.mixed && inputs[1]!.dtype !== inputs[0]!.dtype) return `${op} of ${inputs[0]!.dtype} and ${inputs[1]!.dtype}`;
    const spec = { name: op, expr: entry.expr(types), ...(entry.helpers ? { helpers: entry.helpers } : {}) };
    return { programs: [elementwiseProgram(spec, [inputs[0]!, inputs[1]!], out!)] };
  };
}
