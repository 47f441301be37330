// Drops layers that do nothing: Identity, inference-mode Dropout, and reshapes whose output shape
// equals their input shape. Readers of the output read the input instead; when the output is a
// network output, the input's producer writes that output directly.
import type { Network, ReshapeLayer } from '../network.js';
import type { EnginePass } from './pass.js';
import { isBoundary, producers, replaceAllUses } from './net-utils.js';

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

function isNoOp(net: Network, l: ReshapeLayer): boolean {
  return sameShape(net.tensors.get(l.input)!.shape, net.tensors.get(l.output)!.shape);
}

export const removeIdentityPass: EnginePass = {
  name: 'remove-identity',
  description: 'remove Identity, Dropout and reshapes that keep the shape',
  run(net, ctx) {
    for (const l of [...net.layers]) {
      if (l.kind !== 'reshape' || !isNoOp(net, l)) continue;
      const what = `${l.from.join(' + ') || l.name}`;
      if (!isBoundary(net, l.output)) {
        // y = x: everything reading y reads x.
        replaceAllUses(net, l.output, l.input);
        net.layers.splice(net.layers.indexOf(l), 1);
        net.tensors.delete(l.output);
        ctx.change(`removed ${what} (output = input)`);
        continue;
      }
      const producer = producers(net).get(l.input);
      if (!producer || isBoundary(net, l.input)) continue; // input → output copy: keep it
      // y is a network output: x's producer writes y, and x's other readers read y.
      const x = l.input;
      net.layers.splice(net.layers.indexOf(l), 1);
      replaceAllUses(net, x, l.output);
      producer.output = l.output;
      net.tensors.delete(x);
      ctx.change(`removed ${what} (its producer ${producer.name} writes output ${l.output})`);
    }
  },
};
