// Lines describing what the engine did in a session: partition, engines, boundary copies, weights.
import type { EngineStats } from '../runtime/engine-session.js';
import { describeProfile } from '../engine/profile.js';

const mb = (b: number) => `${(b / 2 ** 20).toFixed(2)} MiB`;

export function engineReport(e: EngineStats): string[] {
  const p = e.partition;
  const inEngines = p.subgraphs.reduce((a, s) => a + s.nodes.length, 0);
  const lines = [
    `engine ${p.backend}: ${p.subgraphs.length} subgraph${p.subgraphs.length === 1 ? '' : 's'} with ${inEngines} of ${p.totalNodes} nodes; ${p.declined.length} declined, ${p.tooSmall.reduce((a, c) => a + c.nodes.length, 0)} in clusters below the minimum size ${p.minSubgraphSize}`,
  ];
  for (const en of e.engines) {
    lines.push(`  ${en.node}: ${en.source === 'cache' ? 'loaded from the engine cache' : 'built'} in ${en.buildMs.toFixed(0)} ms, ${en.layers} layers, activations ${mb(en.arenaBytes)} (naive ${mb(en.naiveBytes)})${en.lowered ? `, ${en.lowered.length} run lowered (framework kernels)${en.lowered.length ? `: ${en.lowered.slice(0, 8).join(', ')}${en.lowered.length > 8 ? ', ...' : ''}` : ''}` : ''}`);
  }
  const reasons = new Map<string, number>();
  for (const d of p.declined) reasons.set(d.reason, (reasons.get(d.reason) ?? 0) + 1);
  for (const [reason, n] of [...reasons].slice(0, 6)) lines.push(`  declined ×${n}: ${reason}`);
  if (e.profiles.length) {
    lines.push(`  profiles: ${e.profiles.map((pr, k) => `${k}: ${describeProfile(pr)}`).join(' | ')}${e.profile !== undefined ? `; last run in profile ${e.profile}` : ''}`);
  }
  if (p.backend === 'cpu') {
    lines.push(`  builds ${e.builds}, loads ${e.loads}, partitions ${e.partitions}; weights held by the framework ${mb(e.weightBytes.before)} -> ${mb(e.weightBytes.after)}`);
    return lines;
  }
  lines.push(`  builds ${e.builds}, loads ${e.loads}, partitions ${e.partitions}, specializations ${e.specializations} (${e.specializationMs.toFixed(0)} ms: kernels re-instantiated at a new shape from the recorded tactics)`);
  lines.push(`  boundary copies (device to device): ${e.deviceCopies}; weights held by the framework ${mb(e.weightBytes.before)} -> ${mb(e.weightBytes.after)}`);
  return lines;
}
