// Workgroup reductions shared by the row kernels (norm, reduce, softmax-like): each invocation
// folds its strided share of a row into a register, then the workgroup combines the partials in
// workgroup memory (a tree, log2(wg) barriers). Statistics are always f32, whatever the storage.

/** `var<workgroup> red_` plus `wg_<name>_(lid, v) -> f32` combining `v` across the workgroup with `op`. */
export function workgroupReducer(wg: number, reducers: Record<string, (a: string, b: string) => string>): string {
  const fns = Object.entries(reducers).map(([name, op]) => `fn wg_${name}_(lid: u32, v: f32) -> f32 {
  red_[lid] = v;
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) { red_[lid] = ${op('red_[lid]', 'red_[lid + s]')}; }
    workgroupBarrier();
  }
  let r = red_[0];
  workgroupBarrier();
  return r;
}
`);
  return `var<workgroup> red_: array<f32, ${wg}>;\n${fns.join('')}`;
}

/** The workgroup sizes the row kernels offer as tactics. */
export const ROW_WORKGROUPS = [64, 256] as const;
