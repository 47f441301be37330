// Where every tensor of a CPU engine lives: one arena planned by liveness (../memory-plan.ts,
// byte offsets), with reshapes as views of their input and the inputs of an in-place channel
// concat as slices of its output (contiguous for a batch of one; with more images the concat
// copies instead). Network inputs and outputs are regions of the arena like any other tensor.
import { elementCount } from '../../tensor/shape.js';
import { planMemory } from '../memory-plan.js';
import type { Network } from '../network.js';
import { layerOutputs, tensorInputs } from '../passes/net-utils.js';

export interface CpuMemoryLayout {
  /** Byte offset of each tensor in the arena. */
  offsets: Map<string, number>;
  arenaBytes: number;
  naiveBytes: number;
}

/** Concat layers whose inputs are written straight into the output (batch of one only). */
export function inPlaceConcats(net: Network): Set<string> {
  return new Set(net.layers.filter((l) => l.kind === 'concat' && l.inPlace && net.tensors.get(l.output)!.shape[0] === 1).map((l) => l.name));
}

export function layoutCpuMemory(net: Network): CpuMemoryLayout {
  // alias: tensor → [owner, byte offset inside the owner]
  const alias = new Map<string, [string, number]>();
  const inPlace = inPlaceConcats(net);
  for (const l of net.layers) {
    if (l.kind === 'reshape') alias.set(l.output, [l.input, 0]);
    if (l.kind === 'concat' && inPlace.has(l.name)) {
      const shape = net.tensors.get(l.output)!.shape;
      const plane = elementCount(shape.slice(2)) * 4;
      let channel = 0;
      for (const t of l.inputs) {
        alias.set(t, [l.output, channel * plane]);
        channel += net.tensors.get(t)!.shape[1]!;
      }
    }
  }
  const root = (n: string): [string, number] => {
    const a = alias.get(n);
    if (!a) return [n, 0];
    const [owner, off] = root(a[0]);
    return [owner, off + a[1]];
  };
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  const touch = (n: string, step: number) => {
    const [o] = root(n);
    first.set(o, Math.min(first.get(o) ?? step, step));
    last.set(o, Math.max(last.get(o) ?? step, step));
  };
  for (const n of net.inputs) touch(n, 0);
  net.layers.forEach((l, i) => {
    for (const n of [...tensorInputs(l), ...layerOutputs(l)]) touch(n, i);
  });
  for (const n of net.outputs) touch(n, net.layers.length);
  const values = [...first.keys()].map((id) => ({ id, bytes: elementCount(net.tensors.get(id)!.shape) * 4, first: first.get(id)!, last: last.get(id)! }));
  const plan = planMemory(values, 64);
  const offsets = new Map<string, number>();
  for (const name of net.tensors.keys()) {
    const [o, off] = root(name);
    const base = plan.offsets.get(o);
    if (base !== undefined) offsets.set(name, base + off);
  }
  return { offsets, arenaBytes: plan.arenaBytes, naiveBytes: plan.naiveBytes };
}
