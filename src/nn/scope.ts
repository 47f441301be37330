// Gluon 1.x naming (mxnet/gluon/block.py `_BlockScope.create`): a block made outside any name
// scope gets a process-wide counted prefix (`resnetv20_`); inside a parent's scope it gets the
// parent's prefix plus a per-scope counted hint (`conv0_`), or plus the explicit prefix it was
// given (`stage1_`, or '' to share the parent's prefix while keeping its own counters).

/** One open name scope: the block whose prefix children extend, and its per-hint counters. */
export interface NameScope {
  readonly prefix: string;
  readonly counters: Map<string, number>;
}

const globalCounters = new Map<string, number>();
const stack: NameScope[] = [];

function next(counters: Map<string, number>, hint: string): string {
  const n = counters.get(hint) ?? 0;
  counters.set(hint, n + 1);
  return `${hint}${n}_`;
}

/** The prefix of a block being created now (`prefix` as given by the user, `hint` its alias). */
export function createPrefix(prefix: string | undefined, hint: string): string {
  const current = stack[stack.length - 1];
  if (!current) return prefix ?? next(globalCounters, hint);
  return current.prefix + (prefix ?? next(current.counters, hint));
}

/** Runs `body` with `scope` as the current name scope (Gluon's `with block.name_scope():`). */
export function withScope<T>(scope: NameScope, body: () => T): T {
  stack.push(scope);
  try {
    return body();
  } finally {
    stack.pop();
  }
}

/** Restarts the process-wide counters (Gluon's fresh `NameManager`), so the next net is `resnetv20_` again. */
export function resetNameCounters(): void {
  globalCounters.clear();
}
