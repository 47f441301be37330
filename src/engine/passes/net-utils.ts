// Small queries and edits on a Network that every pass needs: who produces and who reads a
// tensor, rewiring uses, dropping tensors nothing refers to, and copying a network.
import type { Layer, Network } from '../network.js';
import { kindOf } from '../layers/index.js';
import { isConstOperand } from './pw-expr.js';

/** The network tensors a layer reads (constant operands of pointwise layers left out). */
export function tensorInputs(l: Layer): string[] {
  return kindOf(l).inputs(l).filter((n) => !isConstOperand(n));
}

/** Every tensor a layer writes: its output, then any extra ones (a norm's residual sum). */
export function layerOutputs(l: Layer): string[] {
  const extra = kindOf(l).extraOutputs?.(l);
  return extra?.length ? [l.output, ...extra] : [l.output];
}

/** Tensor name → the layer writing it. */
export function producers(net: Network): Map<string, Layer> {
  const m = new Map<string, Layer>();
  for (const l of net.layers) for (const o of layerOutputs(l)) m.set(o, l);
  return m;
}

/** Tensor name → the distinct layers reading it, in execution order. */
export function consumers(net: Network): Map<string, Layer[]> {
  const m = new Map<string, Layer[]>();
  for (const l of net.layers) {
    for (const t of new Set(tensorInputs(l))) {
      const list = m.get(t);
      if (list) list.push(l);
      else m.set(t, [l]);
    }
  }
  return m;
}

/** True for tensors the engine exchanges with the outside (their name and format are fixed). */
export function isBoundary(net: Network, tensor: string): boolean {
  return net.inputs.includes(tensor) || net.outputs.includes(tensor);
}

/** Makes `l` read `to` wherever it read `from`. */
export function replaceUse(l: Layer, from: string, to: string): void {
  kindOf(l).renameInputs(l, (n) => (n === from ? to : n));
}

/** Makes every layer that read `from` read `to` instead. */
export function replaceAllUses(net: Network, from: string, to: string): void {
  for (const l of net.layers) replaceUse(l, from, to);
}

/** Removes tensors that are neither read nor written by any layer nor network inputs/outputs. */
export function pruneTensors(net: Network): void {
  const live = new Set<string>([...net.inputs, ...net.outputs]);
  for (const l of net.layers) {
    for (const t of tensorInputs(l)) live.add(t);
    for (const o of layerOutputs(l)) live.add(o);
  }
  for (const name of [...net.tensors.keys()]) if (!live.has(name)) net.tensors.delete(name);
}

/** A copy whose layers, tensors and lists can be edited; weight arrays are shared (never mutate them). */
export function cloneNetwork(net: Network): Network {
  return {
    tensors: new Map([...net.tensors].map(([k, t]) => [k, { ...t, shape: [...t.shape], format: { ...t.format } }])),
    layers: net.layers.map((l) => kindOf(l).clone(l)),
    inputs: [...net.inputs],
    outputs: [...net.outputs],
  };
}

/** A layer name not used yet in the network. */
export function freshLayerName(net: Network, base: string): string {
  const taken = new Set(net.layers.map((l) => l.name));
  if (!taken.has(base)) return base;
  let i = 1;
  while (taken.has(`${base}_${i}`)) i++;
  return `${base}_${i}`;
}
