/** Bundles the browser example into `out` (default examples/browser/dist); resolves with the folder. */
export function buildExample(out?: string): Promise<string>;
