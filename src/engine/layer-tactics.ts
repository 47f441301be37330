// A layer's candidate tactics, or the refusal the integration acts on: the one place the builder
// and the dry build (check-build.ts) ask the kernel generators, so both refuse the same layers.
import { compileLayer } from './kernels/index.js';
import type { KernelContext, Tactic } from './kernels/tactic.js';
import type { TacticSource } from './config.js';
import type { Layer } from './network.js';
import { EngineRefusalError } from './refusal.js';

/** The tactics of `layer` that fit the scratch budget; EngineRefusalError when none does. */
export function layerTactics(layer: Layer, ctx: KernelContext, cfg: { precision: string; memoryBudget: number; tacticSources?: readonly TacticSource[] }): Tactic[] {
  const made = compileLayer(layer, ctx);
  if (typeof made === 'string') {
    // an fp16 layer may have an fp32 tactic: the integration retries it in fp32 before giving it back
    const remedy = cfg.precision !== 'fp32' && layer.precision !== 'fp32' ? 'fp32' : 'framework';
    throw new EngineRefusalError({ nodes: [...layer.from], reason: `the webgpu engine cannot run layer '${layer.name}' (${layer.kind}): ${made}`, remedy },
      { hint: 'let the partitioner leave it to the framework' });
  }
  const fits = ofSources(made, cfg.tacticSources).filter((t) => t.scratch.reduce((a, b) => a + b, 0) <= cfg.memoryBudget);
  if (fits.length === 0) {
    throw new EngineRefusalError({ nodes: [...layer.from], reason: `layer '${layer.name}': every tactic needs more scratch memory than the budget of ${cfg.memoryBudget} bytes`, remedy: 'framework' },
      { hint: 'raise the memory budget' });
  }
  return fits;
}

/** Which kind of kernel a tactic is: subgroup-matrix when any of its programs multiplies subgroup matrices. */
export function tacticSource(t: Tactic): TacticSource {
  return t.programs.some((p) => p.wgsl.includes('enable chromium_experimental_subgroup_matrix')) ? 'subgroup-matrix' : 'simt';
}

/** The tactics of the listed sources, or all of them when none is. */
function ofSources(tactics: Tactic[], sources: readonly TacticSource[] | undefined): Tactic[] {
  if (!sources) return tactics;
  const kept = tactics.filter((t) => sources.includes(tacticSource(t)));
  return kept.length ? kept : tactics;
}
