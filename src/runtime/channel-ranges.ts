// The first step of an equalized calibration (`nnrt calibrate --equalize`): the per-channel max |x|
// of each tensor the equalize pass balances (between two convs), measured on the calibration
// batches in the network before equalization. The pass divides channel i of such a tensor by s_i,
// so these ranges (not the weights' stand-in for them) decide s; the cache keeps them for the build.
import { CalibrationError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { equalizeCandidates } from '../engine/equalized-graph.js';
import { Tensor } from '../tensor/tensor.js';
import type { CalibrationBatches } from './calibrate.js';
import { createSession, type SessionOptions } from './session.js';

/** Per-channel (dim 1) max |x| of the tensors between equalizable convs, by tensor name. */
export async function measureChannelRanges(graph: Graph, inputShapes: Record<string, number[]>, batches: CalibrationBatches, opts: Pick<SessionOptions, 'device' | 'gpu' | 'gpuOptions' | 'maxMemory'>): Promise<Map<string, Float32Array>> {
  const { graph: before, tensors } = equalizeCandidates(graph, inputShapes);
  const ranges = new Map<string, Float32Array>();
  if (!tensors.length) return ranges;
  const probe = before.clone();
  for (const name of tensors) if (!probe.outputs.some((o) => o.name === name)) probe.outputs.push({ name });
  const session = await createSession(probe, opts);
  try {
    for (let b = 0; b < batches.count; b++) {
      const values = await session.run(await batches.get(b));
      for (const name of tensors) {
        const t = values[name];
        if (!(t instanceof Tensor) || t.dtype !== 'float32' || t.shape.length < 2) throw new CalibrationError(`tensor '${name}' did not come back as a float tensor of rank ≥ 2`);
        const [n, c] = [t.shape[0]!, t.shape[1]!];
        const inner = t.size / (n * c);
        const data = t.data as Float32Array;
        const r = ranges.get(name) ?? ranges.set(name, new Float32Array(c)).get(name)!;
        for (let i = 0; i < data.length; i++) {
          const ch = Math.floor(i / inner) % c;
          const v = Math.abs(data[i]!);
          if (!(v <= r[ch]!)) r[ch] = v;
        }
        if (r.some((v) => !Number.isFinite(v))) throw new CalibrationError(`tensor '${name}' reached a non-finite value on the calibration data`, { hint: 'check the calibration inputs and their preprocessing' });
      }
    }
  } finally {
    session.dispose();
  }
  return ranges;
}
