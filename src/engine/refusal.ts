// Why the engine refused part of a subgraph, in a form the integration can act on: the IR nodes at
// fault, and whether running them at a higher precision could help (a layer with no fp16 tactic)
// or they must go back to the framework.
import { UnsupportedError } from '../errors.js';

/** What the integration does about a refusal. */
export type RefusalRemedy = 'framework' | 'fp32';

export interface BuildRefusal {
  /** IR node names at fault (empty: the whole subgraph). */
  nodes: string[];
  reason: string;
  remedy: RefusalRemedy;
}

/** An UnsupportedError that names the nodes the engine refused and the remedy. */
export class EngineRefusalError extends UnsupportedError {
  readonly refusal: BuildRefusal;
  constructor(refusal: BuildRefusal, opts: { where?: string; hint?: string; cause?: unknown } = {}) {
    super(refusal.reason, opts);
    this.refusal = refusal;
  }
}
