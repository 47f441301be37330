// Gluon's HybridBlock: named children and parameters, seeded initialization, and a forward pass
// written once against the symbolic F, traced into an IR graph and run through a session.
import { UsageError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { exportOnnx, type OnnxExportOptions } from '../onnx/export/model.js';
import { exportMxnet, type MxExported } from '../mxnet/export.js';
import { createSession, type Session, type SessionOptions } from '../runtime/session.js';
import { optimizedSessionOptions, type OptimizeOptions } from '../runtime/optimize.js';
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { hash32, init as initializers, type Initializer } from './init.js';
import { Parameter, type ParamKind } from './parameter.js';
import { loadParameters, saveParameters, type LoadOptions } from './params-io.js';
import { createPrefix, withScope, type NameScope } from './scope.js';
import { Symbolic, type Sym } from './symbol.js';

export interface BlockOptions {
  /** Gluon's `prefix`: '' shares the parent's prefix; undefined counts one from the class alias. */
  prefix?: string;
}

export interface InitializeOptions {
  /** For parameters without their own initializer (default Gluon's Uniform(0.07)). */
  init?: Initializer;
  /** Seed of the generators; the same seed gives the same weights (default 0). */
  seed?: number;
  /** Re-initialize parameters that already hold values. */
  force?: boolean;
}

export interface InputSpec {
  dtype: DType;
  shape: readonly number[];
}

export abstract class HybridBlock {
  /** Gluon's prefix of every parameter of this block, e.g. 'resnetv20_' or 'resnetv20_conv0_'. */
  readonly prefix: string;
  private readonly children = new Map<string, HybridBlock>();
  private readonly ownParams = new Map<string, Parameter>();
  private readonly scope: NameScope;
  private hybridized = false;
  private sessionOptions: SessionOptions = {};
  private readonly cache = new Map<string, { graph: Graph; session: Session }>();

  /** `alias` overrides the counted hint for blocks named after a constructor argument (Activation). */
  constructor(opts: BlockOptions = {}, alias?: string) {
    this.prefix = createPrefix(opts.prefix, alias ?? this.alias());
    this.scope = { prefix: this.prefix, counters: new Map() };
  }

  /** The hint Gluon counts prefixes from (class name in lower case unless a layer says otherwise). */
  protected alias(): string {
    return this.constructor.name.toLowerCase();
  }

  /** The prefix without its trailing '_' (Gluon's `name`). */
  get name(): string {
    return this.prefix.endsWith('_') ? this.prefix.slice(0, -1) : this.prefix;
  }

  /** The symbolic forward pass: one or more inputs, one output. */
  abstract forward(F: Symbolic, ...xs: Sym[]): Sym;

  /** Runs `body` in this block's name scope: blocks made inside get names under this prefix. */
  protected nameScope<T>(body: () => T): T {
    return withScope(this.scope, body);
  }

  /** Registers a child under an attribute name (Gluon's `self.name = block`). */
  protected registerChild<B extends HybridBlock>(name: string, block: B): B {
    if (this.children.has(name)) throw new UsageError(`block '${this.name}' already has a child named '${name}'`);
    this.children.set(name, block);
    return block;
  }

  /** Declares a parameter named `<prefix><name>` (Gluon's `self.params.get(name, ...)`). */
  protected param(name: string, shape: number[], opts: { kind?: ParamKind; init?: Initializer } = {}): Parameter {
    const p = new Parameter(this.prefix + name, shape, opts);
    this.ownParams.set(name, p);
    return p;
  }

  /** Child blocks by registration name, in order. */
  childBlocks(): ReadonlyMap<string, HybridBlock> {
    return this.children;
  }

  /** Every parameter by its full Gluon name (Gluon's `collect_params()`), in declaration order. */
  collectParams(): Map<string, Parameter> {
    const out = new Map<string, Parameter>();
    for (const p of this.structuralParams().values()) out.set(p.name, p);
    return out;
  }

  /** Every parameter by its structural name ('features.0.weight', Gluon's `_collect_params_with_prefix`). */
  structuralParams(prefix = ''): Map<string, Parameter> {
    const dot = prefix ? `${prefix}.` : '';
    const out = new Map<string, Parameter>();
    for (const [k, p] of this.ownParams) out.set(dot + k, p);
    for (const [k, c] of this.children) for (const [n, p] of c.structuralParams(dot + k)) out.set(n, p);
    return out;
  }

  /** Fills every parameter with seeded values; unknown shapes are filled at the first forward pass. */
  initialize(opts: InitializeOptions = {}): this {
    const seed = opts.seed ?? 0;
    const fallback = opts.init ?? initializers.uniform();
    // one generator per parameter, keyed by its structural name: independent of the global prefix
    for (const [name, p] of this.structuralParams()) p.initialize(fallback, hash32(`${seed}:${name}`), opts.force);
    this.invalidate();
    return this;
  }

  /**
   * Caches the traced graph and its session per input shape (Gluon's `hybridize()`); without it,
   * every call traces again.
   */
  hybridize(opts: SessionOptions = {}): this {
    this.hybridized = true;
    this.sessionOptions = opts;
    this.invalidate();
    return this;
  }

  /**
   * Gluon's `optimize_for(x, backend=...)`: hybridizes onto the engine backend (partitioned, every
   * supported subgraph on the engine) and runs once on `sample` so the engines are built now.
   */
  async optimizeFor(sample: Tensor | Tensor[], opts: OptimizeOptions): Promise<this> {
    this.hybridize(optimizedSessionOptions(opts));
    await this.call(...(Array.isArray(sample) ? sample : [sample]));
    return this;
  }

  /** Loads a .params file (structural, full or prefix-less Gluon names); see params-io.ts. */
  loadParameters(bytes: Uint8Array, opts: LoadOptions = {}): this {
    loadParameters(this, bytes, opts);
    return this;
  }

  /** The parameters as a .params file under structural names, as Gluon's save_parameters writes. */
  saveParameters(): Uint8Array {
    return saveParameters(this);
  }

  /** Forgets traced graphs (after parameters change). */
  invalidate(): void {
    for (const { session } of this.cache.values()) session.dispose();
    this.cache.clear();
  }

  /** Traces the forward pass for inputs of these types into a graph with Gluon-named initializers. */
  trace(...inputs: InputSpec[]): Graph {
    if (inputs.length === 0) throw new UsageError(`block '${this.name}' needs at least one input to trace`);
    const F = new Symbolic(this.name || 'block');
    const xs = inputs.map((s, i) => F.input(inputs.length === 1 ? 'data' : `data${i}`, s.dtype, s.shape));
    F.output(this.forward(F, ...xs));
    return F.graph;
  }

  /** The traced graph as an ONNX model (default opset 18); parameters keep their Gluon names. */
  exportOnnx(inputs: InputSpec | InputSpec[], opts: Partial<OnnxExportOptions> = {}): Uint8Array {
    const graph = this.trace(...(Array.isArray(inputs) ? inputs : [inputs]));
    return exportOnnx(graph, { opset: 18, producerName: 'nnrt.nn', ...opts });
  }

  /**
   * Gluon's `export(prefix)`: the traced graph as an MXNet checkpoint — symbol JSON and params
   * with `arg:`/`aux:` prefixes (write them as PREFIX-symbol.json and PREFIX-0000.params;
   * `saveMxnetCheckpoint` in 'nnrt/node' does that).
   */
  exportMxnet(inputs: InputSpec | InputSpec[]): MxExported {
    return exportMxnet(this.trace(...(Array.isArray(inputs) ? inputs : [inputs])));
  }

  /** Runs the block on tensors (Gluon's `net(x)`), through a session on the hybridize() device. */
  async call(...xs: Tensor[]): Promise<Tensor> {
    const key = xs.map((x) => `${x.dtype}[${x.shape.join(',')}]`).join(';');
    let entry = this.hybridized ? this.cache.get(key) : undefined;
    if (!entry) {
      const graph = this.trace(...xs.map((x) => ({ dtype: x.dtype, shape: x.shape })));
      entry = { graph, session: await createSession(graph, this.sessionOptions) };
      if (this.hybridized) this.cache.set(key, entry);
    }
    const feeds: Record<string, Tensor> = {};
    entry.graph.inputs.forEach((v, i) => (feeds[v.name] = xs[i]!));
    const out = await entry.session.run(feeds);
    if (!this.hybridized) entry.session.dispose();
    return out[entry.graph.outputs[0]!.name]!;
  }
}

/** Stacks blocks: each one's output is the next one's input (Gluon's HybridSequential). */
export class HybridSequential extends HybridBlock {
  protected override alias(): string {
    return 'hybridsequential';
  }

  add(...blocks: HybridBlock[]): this {
    for (const b of blocks) this.registerChild(String(this.childBlocks().size), b);
    return this;
  }

  /** Runs `body` in this block's name scope (Gluon's `with net.name_scope():`). */
  scoped<T>(body: () => T): T {
    return this.nameScope(body);
  }

  forward(F: Symbolic, x: Sym): Sym {
    for (const b of this.childBlocks().values()) x = b.forward(F, x);
    return x;
  }
}

/** Runs every child on the same input and concatenates the outputs on an axis (Gluon's HybridConcurrent). */
export class HybridConcurrent extends HybridSequential {
  readonly axis: number;

  constructor(opts: BlockOptions & { axis?: number } = {}) {
    super(opts);
    this.axis = opts.axis ?? -1;
  }

  protected override alias(): string {
    return 'hybridconcurrent';
  }

  override forward(F: Symbolic, x: Sym): Sym {
    const outs = [...this.childBlocks().values()].map((b) => b.forward(F, x));
    return F.concat(outs, this.axis, `${this.prefix}concat`);
  }
}

/** Passes its input through (Gluon's contrib Identity, used by DenseNet's concatenations). */
export class Identity extends HybridBlock {
  protected override alias(): string {
    return 'identity';
  }

  forward(_F: Symbolic, x: Sym): Sym {
    return x;
  }
}
