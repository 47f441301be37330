// Checks a zoo architecture against an outside definition: torchvision's model exported to ONNX
// (with onnxruntime's output for one input). Its weights go into the zoo net (torchvision-mapping.ts),
// the zoo net runs on the input, and its output must match the reference. Node-free: the CLI
// wrapper (scripts/zoo-vs-torchvision.mjs) reads the files.
import { NnrtError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import type { DeviceName } from '../runtime/session.js';
import { compareTensors, FP32_TOLERANCE, type Tolerance } from '../tensor/compare.js';
import type { Tensor } from '../tensor/tensor.js';
import { inDataflowOrder, mapTorchvisionWeights, zooLayers, type MappingResult } from './torchvision-mapping.js';
import { onnxLayers } from './torchvision-onnx-layers.js';
import { checkTarget, type CheckTarget } from './torchvision-variants.js';

export interface TorchvisionCheckOptions {
  /** A vision.* name ('resnet18_v1') or a check variant ('resnet50_v1+stride3x3'). */
  zoo: string;
  /** A net built elsewhere to check instead of the one `zoo` names (`zoo` then only labels the report). */
  target?: CheckTarget;
  /** torchvision's exported model. */
  graph: Graph;
  input: Tensor;
  /** The reference output for `input` (onnxruntime's). */
  expected: Tensor;
  /** How reports name the ONNX model (default the graph's name). */
  source?: string;
  device?: DeviceName;
  tolerance?: Tolerance;
}

export type CheckStatus = 'match' | 'mismatch' | 'mapping-failed';

export interface TorchvisionCheckReport {
  zoo: string;
  source: string;
  device: DeviceName;
  status: CheckStatus;
  tolerance: Tolerance;
  /** Present once the net ran. */
  maxAbsError?: number;
  maxRelError?: number;
  mismatches?: number;
  /** Why the comparison failed without a number (shapes differ), or why the mapping failed. */
  reason?: string;
  mapping?: Omit<MappingResult, 'differences' | 'notes'>;
  /** Paired layers that compute differently (the weights fit): architecture differences found. */
  differences: string[];
  notes: string[];
  ms: number;
}

/** The CLI's exit status: 0 match, 1 output mismatch, 2 the weights did not line up. */
export const CHECK_EXIT_CODES: Record<CheckStatus, number> = { match: 0, mismatch: 1, 'mapping-failed': 2 };

export async function checkAgainstTorchvision(o: TorchvisionCheckOptions): Promise<TorchvisionCheckReport> {
  const t0 = Date.now();
  const device = o.device ?? 'cpu';
  const tolerance = o.tolerance ?? FP32_TOLERANCE;
  const target = o.target ?? checkTarget(o.zoo);
  const report: TorchvisionCheckReport = {
    zoo: o.zoo, source: o.source ?? o.graph.name, device, status: 'mapping-failed', tolerance, differences: [], notes: [...target.notes], ms: 0,
  };
  const [h, w] = o.input.shape.slice(-2);
  if (h !== 224 || w !== 224) report.notes.push(`input ${h}×${w}: torchvision's adaptive pooling and the zoo's fixed pooling agree only at 224×224`);
  const net = target.net;
  try {
    // tracing for the input's shape sizes the deferred parameters before they are matched
    net.initialize({ seed: 0 });
    const traced = net.trace({ dtype: o.input.dtype, shape: o.input.shape });
    const layers = zooLayers(net, traced);
    const tv = onnxLayers(o.graph);
    const identityConvs = target.identityConvs();
    let mapped: MappingResult;
    try {
      mapped = mapTorchvisionWeights(layers, tv, { identityConvs });
    } catch (e) {
      // torchvision's nodes come in its forward pass's order: where the zoo's forward runs its
      // branches in another order than it registers them, pair in that order instead
      const flow = inDataflowOrder(layers, traced);
      if (!(e instanceof NnrtError) || flow.every((z, i) => z === layers[i])) throw e;
      try {
        mapped = mapTorchvisionWeights(flow, tv, { identityConvs });
      } catch {
        throw e;
      }
      report.notes.push('layers paired in the zoo forward pass\'s order (its registration order did not line up)');
    }
    const { differences, notes, ...counts } = mapped;
    report.mapping = counts;
    report.differences = differences;
    report.notes.push(...notes);
  } catch (e) {
    if (!(e instanceof NnrtError)) throw e;
    report.reason = e.message;
    report.ms = Date.now() - t0;
    return report;
  }
  if (device !== 'cpu') net.hybridize({ device });
  let y: Tensor;
  try {
    y = await net.call(o.input);
  } finally {
    net.invalidate();
  }
  const cmp = compareTensors(y, o.expected, tolerance);
  report.status = cmp.pass ? 'match' : 'mismatch';
  report.maxAbsError = cmp.maxAbsError;
  report.maxRelError = cmp.maxRelError;
  report.mismatches = cmp.mismatches;
  if (cmp.reason) report.reason = cmp.reason;
  report.ms = Date.now() - t0;
  return report;
}

const STATUS_WORD: Record<CheckStatus, string> = { match: 'MATCH', mismatch: 'MISMATCH', 'mapping-failed': 'MAPPING FAILED' };

/** One line per model, then the differences, the reason and the notes indented below it. */
export function formatCheckReport(r: TorchvisionCheckReport): string {
  const parts = [`${r.zoo} vs ${r.source} [${r.device}]: ${STATUS_WORD[r.status]}`];
  if (r.maxAbsError !== undefined) parts.push(`max abs ${r.maxAbsError.toExponential(2)}, max rel ${r.maxRelError!.toExponential(2)}, ${r.mismatches} mismatches (atol ${r.tolerance.atol}, rtol ${r.tolerance.rtol})`);
  if (r.mapping) parts.push(`${r.mapping.onnxLayers} ONNX layers mapped, ${r.mapping.foldedBatchNorms} BN folded, ${r.mapping.identityLayers} identity`);
  parts.push(`${(r.ms / 1000).toFixed(1)} s`);
  const lines = [parts.join('; ')];
  if (r.reason) lines.push(`  reason: ${r.reason}`);
  for (const d of r.differences) lines.push(`  differs: ${d}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}
