// A layer's candidate tactics, or the refusal the integration acts on: the one place the builder
// and the dry build (check-build.ts) ask the kernel generators, so both refuse the same layers.
import { compileLayer } from './kernels/index.js';
import type { KernelContext, Tactic } from './kernels/tactic.js';
import type { Layer } from './network.js';
import { EngineRefusalError } from './refusal.js';

/** The tactics of `layer` that fit the scratch budget; EngineRefusalError when none does. */
export function layerTactics(layer: Layer, ctx: KernelContext, cfg: { precision: string; memoryBudget: number }): Tactic[] {
  const made = compileLayer(layer, ctx);
  if (typeof made === 'string') {
    // an fp16 layer may have an fp32 tactic: the integration retries it in fp32 before giving it back
    const remedy = cfg.precision !== 'fp32' && layer.precision !== 'fp32' ? 'fp32' : 'framework';
    throw new EngineRefusalError({ nodes: [...layer.from], reason: `the webgpu engine cannot run layer '${layer.name}' (${layer.kind}): ${made}`, remedy },
      { hint: 'let the partitioner leave it to the framework' });
  }
  const fits = made.filter((t) => t.scratch.reduce((a, b) => a + b, 0) <= cfg.memoryBudget);
  if (fits.length === 0) {
    throw new EngineRefusalError({ nodes: [...layer.from], reason: `layer '${layer.name}': every tactic needs more scratch memory than the budget of ${cfg.memoryBudget} bytes`, remedy: 'framework' },
      { hint: 'raise the memory budget' });
  }
  return fits;
}
