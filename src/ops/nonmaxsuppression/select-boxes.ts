// Greedy non-maximum suppression, per (batch, class): take boxes by descending score (ties keep
// the lower index), drop a box whose IoU with an already kept one exceeds the threshold.
export interface NmsParams {
  maxPerClass: number;
  iouThreshold: number;
  /** Boxes must score strictly above it; undefined keeps every box. */
  scoreThreshold: number | undefined;
  /** 1: boxes are [x_center, y_center, width, height]; 0: [y1, x1, y2, x2] of any two opposite corners. */
  centerPointBox: number;
}

/** Box corners as [ymin, xmin, ymax, xmax]. */
function corners(b: ArrayLike<number>, at: number, center: boolean): [number, number, number, number] {
  const [p, q, r, s] = [b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!];
  if (center) return [q - s / 2, p - r / 2, q + s / 2, p + r / 2];
  return [Math.min(p, r), Math.min(q, s), Math.max(p, r), Math.max(q, s)];
}

function iou(a: readonly number[], b: readonly number[]): number {
  const areaA = (a[2]! - a[0]!) * (a[3]! - a[1]!);
  const areaB = (b[2]! - b[0]!) * (b[3]! - b[1]!);
  if (areaA <= 0 || areaB <= 0) return 0;
  const h = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const w = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const inter = h * w;
  return inter / (areaA + areaB - inter);
}

/** Selected [batch, class, box] triples, batch-major then class-major, each class by score. */
export function selectBoxes(
  boxes: ArrayLike<number>, scores: ArrayLike<number>, batches: number, classes: number, spatial: number, p: NmsParams,
): [number, number, number][] {
  const out: [number, number, number][] = [];
  if (p.maxPerClass <= 0) return out;
  for (let b = 0; b < batches; b++) {
    const box = Array.from({ length: spatial }, (_, i) => corners(boxes, (b * spatial + i) * 4, p.centerPointBox === 1));
    for (let c = 0; c < classes; c++) {
      const base = (b * classes + c) * spatial;
      const candidates: number[] = [];
      for (let i = 0; i < spatial; i++) {
        if (p.scoreThreshold === undefined || scores[base + i]! > p.scoreThreshold) candidates.push(i);
      }
      candidates.sort((i, j) => scores[base + j]! - scores[base + i]! || i - j);
      const kept: number[] = [];
      for (const i of candidates) {
        if (kept.length >= p.maxPerClass) break;
        if (kept.every((k) => iou(box[k]!, box[i]!) <= p.iouThreshold)) kept.push(i);
      }
      for (const i of kept) out.push([b, c, i]);
    }
  }
  return out;
}
