import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defineOp } from '../op.js';
import { selectBoxes } from './select-boxes.js';

const scalar = (t: Tensor | undefined, what: string): number | undefined => {
  if (!t) return undefined;
  if (t.size !== 1) throw new ShapeError(`${what} must hold one value, got shape [${t.shape.join(',')}]`);
  return t.numeric()[0]!;
};

/** The selection for NonMaxSuppression's inputs (shape function and kernel share it). */
export function nmsSelection(inputs: readonly (Tensor | undefined)[], centerPointBox: number): [number, number, number][] {
  const [boxes, scores, maxOut, iouT, scoreT] = inputs;
  const [batches, spatial] = boxes!.shape as [number, number];
  return selectBoxes(boxes!.numeric(), scores!.numeric(), batches, scores!.shape[1]!, spatial, {
    maxPerClass: scalar(maxOut, 'max_output_boxes_per_class') ?? 0,
    iouThreshold: scalar(iouT, 'iou_threshold') ?? 0,
    scoreThreshold: scalar(scoreT, 'score_threshold'),
    centerPointBox,
  });
}

// selected_indices: int64 [count, 3] rows of (batch, class, box) that greedy NMS keeps (at most
// max_output_boxes_per_class per class). The count depends on the data, known at run time.
export const NonMaxSuppression = defineOp({
  type: 'NonMaxSuppression',
  domain: '',
  attrs: { center_point_box: attr.int(0) },
  inputs: [2, 5],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  valueInputs: [0, 1, 2, 3, 4],
  dataDependentShape: true,
  infer: (inputs, { center_point_box }) => {
    const [boxes, scores] = inputs;
    const b = boxes!.shape;
    const s = scores!.shape;
    if (b.length !== 3 || b[2] !== 4) throw new ShapeError(`boxes must be [batches, boxes, 4], got [${b.join(',')}]`);
    if (s.length !== 3 || s[0] !== b[0] || s[2] !== b[1]) throw new ShapeError(`scores must be [${b[0]}, classes, ${b[1]}], got [${s.join(',')}]`);
    if (center_point_box !== 0 && center_point_box !== 1) throw new ShapeError(`center_point_box must be 0 or 1, got ${center_point_box}`);
    return [{ dtype: 'int64', shape: [nmsSelection(inputs.map((i) => i?.value), center_point_box).length, 3] }];
  },
});
