// Shared by the engine pass and importer tests: build tiny graphs, import them, run passes, and
// check that a network computes what the original graph computes on the CPU framework (the
// network is lowered back to an IR graph and run with CpuExecutor).
import assert from 'node:assert/strict';
import '../../src/ops/index.js';
import { CpuExecutor } from '../../src/executor/executor.js';
import type { Graph } from '../../src/ir/graph.js';
import { importNetwork } from '../../src/engine/import.js';
import { lowerNetwork } from '../../src/engine/lower.js';
import type { Layer, Network } from '../../src/engine/network.js';
import type { EnginePass, Precision } from '../../src/engine/passes/pass.js';
import { runPipeline, type PassReport } from '../../src/engine/passes/pipeline.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { uniformTensor } from '../../src/tensor/random.js';
import type { Tensor } from '../../src/tensor/tensor.js';

/** Seeded uniform inputs for every network input. */
export function feedsFor(net: Network, seed = 1): Record<string, Tensor> {
  return Object.fromEntries(net.inputs.map((name, i) => [name, uniformTensor(net.tensors.get(name)!.shape, seed + i, -2, 2)]));
}

export function runGraph(g: Graph, feeds: Record<string, Tensor>): Record<string, Tensor> {
  return new CpuExecutor(g).run(feeds);
}

/** Asserts that `net` (lowered to IR) gives `want`'s outputs for the feeds, within the fp32 tolerance. */
export function assertComputes(net: Network, want: Record<string, Tensor>, feeds: Record<string, Tensor>, what: string): void {
  const got = runGraph(lowerNetwork(net), feeds);
  for (const [name, t] of Object.entries(want)) {
    assert.ok(got[name], `${what}: output ${name} exists`);
    const c = compareTensors(got[name]!, t, FP32_TOLERANCE);
    assert.ok(c.pass, `${what}: output ${name} differs: ${JSON.stringify(c)}`);
  }
}

/**
 * Imports `graph` at `shapes`, runs `stages` (default: the whole pipeline), and checks that the
 * original graph, the imported network and the rewritten network all give the same outputs.
 */
export function importAndRun(graph: Graph, shapes: Record<string, number[]>, opts: { stages?: readonly EnginePass[]; precision?: Precision; layerPrecision?: Record<string, Precision> } = {}):
{ before: Network; after: Network; passes: PassReport[]; changes: string[] } {
  const before = importNetwork(graph, shapes);
  const { network: after, passes } = runPipeline(before, {
    precision: opts.precision ?? 'fp32',
    ...(opts.layerPrecision ? { layerPrecision: opts.layerPrecision } : {}),
    ...(opts.stages ? { stages: opts.stages } : {}),
  });
  const feeds = feedsFor(before);
  const want = runGraph(graph, feeds);
  assertComputes(before, want, feeds, 'imported network');
  assertComputes(after, want, feeds, 'rewritten network');
  return { before, after, passes, changes: passes.flatMap((p) => p.changes) };
}

/** `kind name` of every layer, in order: the structure tests compare. */
export function structure(net: Network): string[] {
  return net.layers.map((l) => `${l.kind} ${l.name}`);
}

export function layerNamed(net: Network, name: string): Layer {
  const l = net.layers.find((x) => x.name === name);
  assert.ok(l, `layer ${name} exists (layers: ${structure(net).join(', ')})`);
  return l;
}
