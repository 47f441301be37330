// Engine backends the partitioner knows, each with the support predicate its engine publishes.
import { ENGINE_BACKEND, ENGINE_SUPPORT } from '../engine/support.js';
import { UsageError } from '../errors.js';
import type { SupportPredicate } from '../partition/predicate.js';

const BACKENDS = new Map<string, SupportPredicate>([[ENGINE_BACKEND, ENGINE_SUPPORT]]);

export function listBackends(): string[] {
  return [...BACKENDS.keys()].sort();
}

/** The support predicate of an engine backend; UsageError naming the known ones otherwise. */
export function backendSupport(backend: string): SupportPredicate {
  const s = BACKENDS.get(backend);
  if (!s) throw new UsageError(`unknown partition backend '${backend}'`, { hint: `backends: ${listBackends().join(', ')}` });
  return s;
}
