// Engine backends the partitioner knows, each with the support predicate its engine publishes and
// the dry build that confirms a whole subgraph (the engine's own import, passes and tactic choice).
import { checkEngineBuild, type CheckBuildOptions } from '../engine/check-build.js';
import { CPU_ENGINE_BACKEND, CPU_ENGINE_SUPPORT, ENGINE_BACKEND, ENGINE_SUPPORT } from '../engine/support.js';
import { checkCpuEngineBuild } from '../engine/cpu/check-build.js';
import { UsageError } from '../errors.js';
import type { SubgraphVerifier } from '../partition/fallback.js';
import type { SupportPredicate } from '../partition/predicate.js';

interface Backend {
  supports: SupportPredicate;
  verifier(opts: CheckBuildOptions): SubgraphVerifier;
}

const BACKENDS = new Map<string, Backend>([[ENGINE_BACKEND, {
  supports: ENGINE_SUPPORT,
  verifier: (opts) => (sub, shapes, fp32Layers) => checkEngineBuild(sub, shapes, { ...opts, layerPrecision: { ...opts.layerPrecision, ...fp32Layers } }),
}], [CPU_ENGINE_BACKEND, {
  supports: CPU_ENGINE_SUPPORT,
  verifier: (opts) => (sub, shapes) => checkCpuEngineBuild(sub, shapes, { memoryBudget: opts.memoryBudget }),
}]]);

export function listBackends(): string[] {
  return [...BACKENDS.keys()].sort();
}

function backend(name: string): Backend {
  const b = BACKENDS.get(name);
  if (!b) throw new UsageError(`unknown partition backend '${name}'`, { hint: `backends: ${listBackends().join(', ')}` });
  return b;
}

/** The support predicate of an engine backend; UsageError naming the known ones otherwise. */
export function backendSupport(name: string): SupportPredicate {
  return backend(name).supports;
}

/** The dry build of an engine backend (build options: precision, per-layer precision, device caps). */
export function backendVerifier(name: string, opts: CheckBuildOptions = {}): SubgraphVerifier {
  return backend(name).verifier(opts);
}
