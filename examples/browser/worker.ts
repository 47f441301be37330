// The model runs here, in a Web Worker, so the page stays responsive while the engine builds and
// the CPU computes. Messages in: { model, input } (bytes); out: progress lines, then the result.
/// <reference lib="webworker" />
import { decodeTensorProto, loadModel, type BuildProgress, type Session, type Tensor } from 'nnrt';

export type FromWorker =
  | { kind: 'progress'; text: string; done?: number; total?: number }
  | { kind: 'result'; device: string; engine: string; ms: number; shape: number[]; logits: number[] }
  | { kind: 'error'; text: string };

const post = (m: FromWorker) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(m);

async function open(model: Uint8Array): Promise<{ session: Session; device: string; engine: string }> {
  const hasGpu = 'gpu' in navigator && !!(await navigator.gpu.requestAdapter());
  if (hasGpu) {
    try {
      post({ kind: 'progress', text: 'WebGPU adapter found: building the engine' });
      const progress = (p: BuildProgress) => post({ kind: 'progress', text: `engine build: ${p.phase}${p.layer ? ` (${p.layer})` : ''}`, done: p.done, total: p.total });
      const session = await loadModel(model, { device: 'webgpu', engine: 'webgpu', timeTactics: false, progress });
      return { session, device: 'webgpu', engine: 'webgpu' };
    } catch (e) {
      post({ kind: 'progress', text: `WebGPU failed (${(e as Error).message}); falling back to the CPU` });
    }
  } else {
    post({ kind: 'progress', text: 'no WebGPU adapter: running on the CPU' });
  }
  return { session: await loadModel(model, { device: 'cpu' }), device: 'cpu', engine: 'none' };
}

self.onmessage = async (e: MessageEvent<{ model: ArrayBuffer; input: ArrayBuffer }>) => {
  try {
    const { session, device, engine } = await open(new Uint8Array(e.data.model));
    const x: Tensor = decodeTensorProto(new Uint8Array(e.data.input), 'input_0.pb').tensor;
    post({ kind: 'progress', text: `running on ${device}${engine === 'none' ? '' : ' (the engine is built on the first run)'}` });
    const t0 = performance.now();
    const out = await session.run({ [session.inputs[0]!.name]: x });
    const y = out[session.outputs[0]!.name]!;
    post({ kind: 'result', device, engine, ms: performance.now() - t0, shape: [...y.shape], logits: y.toNumbers() });
  } catch (err) {
    post({ kind: 'error', text: (err as Error).stack ?? String(err) });
  }
};
