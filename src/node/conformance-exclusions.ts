// Backend-test folders that nnrt does not run, each with its reason. The same list applies to
// every device unless `devices` narrows it. Keep this list short and every reason specific.
export interface Exclusion {
  pattern: RegExp;
  reason: string;
  devices?: readonly string[];
}

export const CONFORMANCE_EXCLUSIONS: readonly Exclusion[] = [
  {
    pattern: /^test_training_dropout(_default)?(_mask)?$/,
    reason: 'training-mode Dropout with ratio > 0 draws a random mask; ONNX leaves the generator unspecified and the expected outputs are numpy RandomState(seed) draws (the zero-ratio cases run)',
  },
];

export function exclusionFor(folder: string, device: string): string | undefined {
  for (const e of CONFORMANCE_EXCLUSIONS) {
    if (e.pattern.test(folder) && (!e.devices || e.devices.includes(device))) return e.reason;
  }
  return undefined;
}
