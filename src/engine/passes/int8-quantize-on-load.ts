// A QuantizeLinear read only by int8 matrix products folds into them: each product reads the float
// tensor and quantizes it as it stages its rows, exactly as the quantize layer would have. A
// transformer's quantize passes (of each LayerNorm output and attention output, 3 a layer in BERT)
// and the float-to-bytes round trip through memory are gone; the products' rows are few (one
// sequence), so quantizing them again in each column tile costs less than a dispatch. Convolutions
// are left out: they read each input element once per tap.
import { matchQuantize, outerQuantize } from '../layers/quantize.js';
import type { EnginePass } from './pass.js';
import { consumers, isBoundary, producers } from './net-utils.js';

export const int8QuantizeOnLoadPass: EnginePass = {
  name: 'int8-quantize-on-load',
  description: 'a quantize read only by int8 matrix products folds into their input loads',
  run(net, ctx) {
    const readers = consumers(net);
    const writers = producers(net);
    for (const q of [...net.layers]) {
      if (q.kind !== 'pointwise' || isBoundary(net, q.output)) continue;
      const params = matchQuantize(q);
      if (!params) continue;
      const source = q.inputs[0]!;
      const w = writers.get(source);
      // the source must hold real values, not integers being requantized
      if (w && ((w.kind === 'qlinear' && w.y) || (w.kind === 'pointwise' && outerQuantize(w.expr)) || (w.kind === 'norm' && w.quantize))) continue;
      const users = readers.get(q.output) ?? [];
      const fits = users.length > 0 && users.every((r) => r.kind === 'qlinear' && r.op === 'gemm' && r.input === q.output
        && !r.xZeroPoint && r.residual !== q.output && !r.quantizesInput
        && r.x.scale === params.scale && r.x.zeroPoint === params.zeroPoint && r.x.signed === params.signed);
      if (!fits) continue;
      for (const r of users) {
        if (r.kind !== 'qlinear') continue;
        r.input = source;
        r.quantizesInput = true;
      }
      net.layers.splice(net.layers.indexOf(q), 1);
      net.tensors.delete(q.output);
      ctx.change(`${q.name}: folded into the input loads of ${users.map((r) => r.name).join(', ')}`);
    }
  },
};
