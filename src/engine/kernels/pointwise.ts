// Pointwise layers: a PwExpr tree compiled to one WGSL function evaluated on pairs of adjacent
// output elements (vec2<f32>), so f16x2 outputs are written whole and f16x2 inputs read a u32 at
// a time. Operands broadcast to the output by strides (same shape, one element, per channel, or
// any other numpy-style broadcast), in any layout and storage; `const:i` inputs are the layer's
// constants, uploaded as f32 in the order the kernel reads them.
import { POW } from '../../wgsl/math.js';
import { unaryF32Function, type UnaryF32Function } from '../../ops/unary/unary.wgsl.js';
import type { NetTensor, PointwiseLayer, PwExpr } from '../network.js';
import { ACTIVATION_HELPER_PARTS, ACTIVATION_HELPERS, applyActivation, encodeStorage, f32Literal } from './access.js';
import { KernelReason, elementProgram, elementTactics, mappedSource, outputSink, layoutStrides, tacticsOrReason, tensorOf, type ElementSource } from './convert.js';
import { toPhysical } from './layout-data.js';
import type { KernelContext, LayerCompiler } from './tactic.js';
import { elementCount, stridesOf } from '../../tensor/shape.js';
import { isShaped, type PwConstant } from '../passes/pw-expr.js';

const CONSTANT_NAME = /^const:(\d+)$/;

/** Strides of an input of `inShape` (physical strides `inStrides`) broadcast to `outShape`. */
export function broadcastStrides(outShape: readonly number[], inShape: readonly number[], inStrides: readonly number[], what: string): number[] {
  const lead = outShape.length - inShape.length;
  if (lead < 0) throw new KernelReason(`${what} has a higher rank than the output`);
  return outShape.map((d, k) => {
    const di = k < lead ? 1 : inShape[k - lead]!;
    if (di === d) return d === 1 ? 0 : inStrides[k - lead]!;
    if (di === 1) return 0;
    throw new KernelReason(`${what} of shape [${inShape.join(', ')}] does not broadcast to [${outShape.join(', ')}]`);
  });
}

/**
 * A constant operand: one element, the output's full shape (uploaded in the output's physical
 * order), or one value per channel (axis 1), told apart by its length.
 */
function constantOperand(c: PwConstant, out: NetTensor, what: string): { data: Float32Array; to: number[] } {
  if (isShaped(c)) return { data: c.values, to: broadcastStrides(out.shape, c.shape, stridesOf(c.shape), what) };
  const values = c;
  const count = elementCount(out.shape);
  const zeros = out.shape.map(() => 0);
  if (values.length === 1) return { data: values, to: zeros };
  if (values.length === count) {
    const ordered = toPhysical(values, { ...out, format: { layout: out.format.layout, storage: 'f32' } });
    return { data: new Float32Array(ordered.buffer, ordered.byteOffset, count), to: layoutStrides(out) };
  }
  if (out.shape.length >= 2 && values.length === out.shape[1]) return { data: values, to: zeros.map((_, k) => (k === 1 ? 1 : 0)) };
  throw new KernelReason(`${what} has ${values.length} values: neither 1, one per channel (${out.shape[1]}) nor ${count}`);
}

const INFIX: Record<string, string> = { add: '+', sub: '-', mul: '*', div: '/' };

/** Emits let-statements evaluating `e` on vec2 values; returns the variable or literal holding it. */
class ExprWriter {
  readonly lines: string[] = [];
  readonly uses = new Set<'pow'>();
  /** WGSL functions of the unary ops used (one per op and attribute values), and their helpers. */
  readonly functions = new Map<string, UnaryF32Function & { name: string }>();
  private next = 0;
  constructor(private readonly leaf: (index: number) => string) {}

  private bind(value: string): string {
    const name = `t${this.next++}`;
    this.lines.push(`let ${name} = ${value};`);
    return name;
  }

  write(e: PwExpr): string {
    switch (e.op) {
      case 'input': return this.leaf(e.index);
      case 'const': return `vec2<f32>(${f32Literal(e.value)})`;
      case 'unary': {
        const key = `${e.fn}${JSON.stringify(e.attrs ?? {})}`;
        let f = this.functions.get(key);
        if (!f) {
          const name = `u${this.functions.size}_${e.fn.toLowerCase()}`;
          this.functions.set(key, (f = { name, ...unaryF32Function(e.fn, e.attrs ?? {}, name) }));
        }
        const x = this.write(e.arg);
        const v = /^[a-z]\w*$/.test(x) ? x : this.bind(x);
        return this.bind(`vec2<f32>(${f.name}(${v}.x), ${f.name}(${v}.y))`);
      }
      case 'act': {
        const x = this.write(e.arg);
        const v = /^[a-z]\w*$/.test(x) ? x : this.bind(x); // applyActivation repeats its argument
        return this.bind(applyActivation(e.act, v, true));
      }
      case 'binary': {
        const a = this.write(e.a);
        if (e.fn === 'pow' && e.b.op === 'const') return this.powConst(a, e.b.value);
        const b = this.write(e.b);
        if (e.fn in INFIX) return this.bind(`${a} ${INFIX[e.fn]} ${b}`);
        if (e.fn === 'max' || e.fn === 'min') return this.bind(`n${e.fn}2_(${a}, ${b})`); // NaN-propagating (ACTIVATION_HELPERS)
        this.uses.add('pow');
        return this.bind(`vec2<f32>(pow_(${a}.x, ${b}.x), pow_(${a}.y, ${b}.y))`);
      }
    }
  }

  /** x^n for a constant exponent: products for small integers (exact for negative bases), else pow. */
  private powConst(a: string, n: number): string {
    if (n === 1) return a;
    if (n === 2) return this.bind(`${a} * ${a}`);
    if (n === 3) return this.bind(`${a} * ${a} * ${a}`);
    if (n === 0.5) return this.bind(`sqrt(${a})`);
    if (n === -1) return this.bind(`vec2<f32>(1.0) / ${a}`);
    this.uses.add('pow');
    return this.bind(`vec2<f32>(pow_(${a}.x, ${f32Literal(n)}), pow_(${a}.y, ${f32Literal(n)}))`);
  }
}

/** The input indices an expression reads. */
function inputsUsed(e: PwExpr, into = new Set<number>()): Set<number> {
  if (e.op === 'input') into.add(e.index);
  else if (e.op === 'unary' || e.op === 'act') inputsUsed(e.arg, into);
  else if (e.op === 'binary') { inputsUsed(e.a, into); inputsUsed(e.b, into); }
  return into;
}

function compileTactics(layer: PointwiseLayer, ctx: KernelContext) {
  const out = tensorOf(ctx, layer.output, layer.name);
  const outStrides = layoutStrides(out);
  const used = [...inputsUsed(layer.expr)].sort((a, b) => a - b);
  const constants: Uint8Array[] = [];
  const sources: ElementSource[] = [];
  const sourceOf = new Map<string, number>(); // input name → source slot (a tensor read twice binds once)
  const slotOfInput = new Map<number, number>();
  for (const index of used) {
    const name = layer.inputs[index];
    if (name === undefined) throw new KernelReason(`pointwise ${layer.name} reads input ${index} of ${layer.inputs.length}`);
    let slot = sourceOf.get(name);
    if (slot === undefined) {
      const constant = CONSTANT_NAME.exec(name);
      if (constant) {
        const values = layer.constants?.[Number(constant[1])];
        if (!values) throw new KernelReason(`pointwise ${layer.name}: ${name} is not among its ${layer.constants?.length ?? 0} constants`);
        const c = constantOperand(values, out, `${layer.name} ${name}`);
        sources.push(mappedSource({ constant: constants.length }, 'f32', out.shape, outStrides, c.to));
        constants.push(encodeStorage(c.data, 'f32'));
      } else {
        const t = tensorOf(ctx, name, layer.name);
        const to = broadcastStrides(out.shape, t.shape, layoutStrides(t), `${layer.name} input ${name}`);
        sources.push(mappedSource({ tensor: name }, t.format.storage, out.shape, outStrides, to));
      }
      slot = sources.length - 1;
      sourceOf.set(name, slot);
    }
    slotOfInput.set(index, slot);
  }
  return elementTactics('pointwise', (per, wg) => {
    const program = elementProgram({
      sink: outputSink(ctx, out), sources, pairsPerInvocation: per, workgroup: wg, caps: ctx.caps,
      compute: (vals) => {
        const w = new ExprWriter((i) => vals[slotOfInput.get(i)!]!);
        const result = w.write(layer.expr);
        // each helper declared once: the activation helpers are always there
        const fns = [...w.functions.values()];
        const extra = new Set(fns.flatMap((f) => f.helpers).filter((h) => !ACTIVATION_HELPER_PARTS.includes(h)));
        const helpers = ACTIVATION_HELPERS + [...extra].join('') + (w.uses.has('pow') ? POW : '') + fns.map((f) => f.wgsl).join('');
        return { lines: w.lines, result, helpers };
      },
    });
    return { programs: [program], constants, scratch: [] };
  });
}

export const compilePointwise: LayerCompiler<PointwiseLayer> = (layer, ctx) => tacticsOrReason(() => compileTactics(layer, ctx));
