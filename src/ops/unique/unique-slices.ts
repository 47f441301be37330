// The unique slices of an array seen as [outer, n, inner] along one axis (elements when inner and
// outer are 1): which slice first shows each distinct value, and where every slice lands.
export interface UniqueSlices {
  /** For each unique slice, in output order: the index of its first occurrence. */
  first: number[];
  /** For each input slice: the index of its unique slice in the output. */
  inverse: number[];
  /** For each unique slice: how often it occurs. */
  counts: number[];
}

export function uniqueSlices(v: ArrayLike<number>, outer: number, n: number, inner: number, sorted: boolean): UniqueSlices {
  // A slice along the axis is the outer×inner values at one axis index, compared in row-major order.
  const slice = (i: number): number[] => {
    const s: number[] = [];
    for (let o = 0; o < outer; o++) for (let k = 0; k < inner; k++) s.push(v[(o * n + i) * inner + k]!);
    return s;
  };
  const byKey = new Map<string, number>();
  const firstSeen: number[] = [];
  const group: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const key = slice(i).join(',');
    let g = byKey.get(key);
    if (g === undefined) {
      g = firstSeen.length;
      byKey.set(key, g);
      firstSeen.push(i);
    }
    group[i] = g;
  }
  // Output order: first occurrence, or ascending lexicographic order of the slices.
  const order = firstSeen.map((_, g) => g);
  if (sorted) {
    const slices = firstSeen.map(slice);
    order.sort((p, q) => {
      const a = slices[p]!;
      const b = slices[q]!;
      for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k]! - b[k]!;
      return 0;
    });
  }
  const rank = new Array<number>(order.length);
  order.forEach((g, r) => (rank[g] = r));
  const counts = new Array<number>(order.length).fill(0);
  const inverse = group.map((g) => rank[g]!);
  for (const r of inverse) counts[r]!++;
  return { first: order.map((g) => firstSeen[g]!), inverse, counts };
}
