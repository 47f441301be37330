// optimizeFor: MXNet's `optimize_for(backend='TensorRT')` in nnrt. Partitions the model for the
// engine backend, builds every engine for the sample inputs' shapes (so the first real call is
// fast), and returns a model with the same call signature.
import { UsageError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { listBackends } from './backends.js';
import { createSession, type Session, type SessionOptions } from './session.js';
import type { Tensor } from '../tensor/tensor.js';

export interface OptimizeOptions extends Omit<SessionOptions, 'engine' | 'device'> {
  /** The engine backend: 'webgpu' (the framework on device webgpu) or 'cpu' (the framework on the CPU). */
  backend: string;
}

export function checkBackend(backend: unknown): 'webgpu' | 'cpu' {
  if (backend !== 'webgpu' && backend !== 'cpu') {
    throw new UsageError(`unknown backend '${String(backend)}'`, { hint: `backends: ${listBackends().join(', ')}` });
  }
  return backend;
}

/** The session options optimizeFor runs with. */
export function optimizedSessionOptions(opts: OptimizeOptions): SessionOptions {
  const backend = checkBackend(opts.backend);
  const { backend: _b, ...rest } = opts;
  return { ...rest, device: backend, engine: backend };
}

/**
 * A session of `graph` with every supported subgraph on the engine, engines built for the shapes
 * of `sampleInputs` (one warm-up run on them).
 */
export async function optimizeFor(graph: Graph, sampleInputs: Record<string, Tensor>, opts: OptimizeOptions): Promise<Session> {
  const session = await createSession(graph, optimizedSessionOptions(opts));
  try {
    await session.run(sampleInputs);
  } catch (e) {
    session.dispose();
    throw e;
  }
  return session;
}
