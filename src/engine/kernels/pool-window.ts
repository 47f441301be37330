// The window walk every pooling kernel shares: WGSL visiting the input cells (ih, iw) under output
// pixel (oh, ow)'s window, skipping those outside the H×W input (padding never counts as a value).
import type { PoolLayer } from '../network.js';

/** WGSL statements running `body` (which may read `ih`, `iw`) for each window cell inside the input. */
export function windowWalk(layer: PoolLayer, H: number, W: number, body: string): string {
  const [kh, kw] = layer.kernel;
  return `  let h0 = i32(oh * ${layer.strides[0]}u) - ${layer.pads[0]}i;
  let w0 = i32(ow * ${layer.strides[1]}u) - ${layer.pads[1]}i;
  for (var y = 0i; y < ${kh}i; y++) {
    let ih = h0 + y * ${layer.dilations[0]}i;
    if (ih < 0i || ih >= ${H}i) { continue; }
    for (var x = 0i; x < ${kw}i; x++) {
      let iw = w0 + x * ${layer.dilations[1]}i;
      if (iw < 0i || iw >= ${W}i) { continue; }
      ${body}
    }
  }`;
}
