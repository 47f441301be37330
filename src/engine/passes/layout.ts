// Chooses each tensor's physical layout. Inside the engine 4-D activations are channels-last
// (NHWC: a conv reads all input channels of a pixel contiguously); the network's inputs and
// outputs stay NCHW, the ONNX order, so the conversion happens in the first and last kernels.
// A rank-3 tensor between 1-D convs is channels-last too ([N, W, C] in memory); other ranks are
// plain row-major. Reshapes are views of row-major data, so a reshape writes
// NCHW, a tensor only reshapes read is written NCHW, and an NHWC tensor with more than one pixel
// that a reshape also reads is converted to NCHW before it ([N,C,1,1] NHWC is row-major already).
// Other kernels read and write any layout; kinds marked `rowMajor` (layers/kind.ts) keep the
// rank-4 tensors they touch NCHW. Integer and bool tensors are always row-major.
import { isFloatTensor, type ConvertLayer, type Layer, type Layout, type Network, type ReshapeLayer } from '../network.js';
import { kindOf } from '../layers/index.js';
import type { EnginePass, PassContext } from './pass.js';
import { foldTransposeLayouts } from './transpose-layout.js';
import { consumers, freshLayerName, isBoundary, layerOutputs, producers, replaceUse } from './net-utils.js';

function needsRowMajor(l: Layer, net: Network): boolean {
  const r = kindOf(l).rowMajor;
  return typeof r === 'function' ? r(l, net) : !!r;
}

const pixels = (shape: readonly number[]) => shape[2]! * shape[3]!;

/**
 * A rank-3 tensor between 1-D convolutions ([N, C, W], a conv writes it and only convs, or
 * Transpose(0, 2, 1) to [N, W, C], read it) is stored channels-last too: the convs then read and
 * write whole pixels, and the transpose to the sequence order of an audio encoder (Whisper) is a view.
 */
function channelsLastSequence(net: Network, name: string, writers: Map<string, Layer>, readers: Map<string, Layer[]>): boolean {
  const read = readers.get(name) ?? [];
  return writers.get(name)?.kind === 'conv' && read.length > 0
    && read.every((l) => l.kind === 'conv' || (l.kind === 'transpose' && l.perm.length === 3 && l.perm.every((a, i) => a === [0, 2, 1][i])));
}

function chooseLayout(net: Network, name: string, rowMajorTouched: ReadonlySet<string>, writers: Map<string, Layer>, readers: Map<string, Layer[]>): Layout {
  const shape = net.tensors.get(name)!.shape;
  if (shape.length === 3 && isFloatTensor(net.tensors.get(name)!) && !isBoundary(net, name) && !rowMajorTouched.has(name)) {
    return channelsLastSequence(net, name, writers, readers) ? 'nhwc' : 'plain';
  }
  if (shape.length !== 4) return 'plain';
  // integer and bool tensors stay row-major: their layers index them plainly
  if (!isFloatTensor(net.tensors.get(name)!)) return 'nchw';
  // Row-major kernels (softmax...) need NCHW, which is row-major for rank 4.
  if (isBoundary(net, name) || rowMajorTouched.has(name) || writers.get(name)?.kind === 'reshape') return 'nchw';
  const read = readers.get(name) ?? [];
  return pixels(shape) > 1 && read.length > 0 && read.every((l) => l.kind === 'reshape') ? 'nchw' : 'nhwc';
}

export const layoutPass: EnginePass = {
  name: 'layout',
  description: 'NHWC for internal 4-D tensors, NCHW at the network edges and around reshapes',
  run(net, ctx) {
    const rowMajorTouched = new Set(net.layers.flatMap((l) => (needsRowMajor(l, net) ? [...kindOf(l).inputs(l), ...layerOutputs(l)] : [])));
    const writers = producers(net);
    const readers = consumers(net);
    const layouts = new Map([...net.tensors.keys()].map((name) => [name, chooseLayout(net, name, rowMajorTouched, writers, readers)]));
    foldTransposeLayouts(net, layouts, rowMajorTouched);
    for (const [name, t] of net.tensors) t.format = { ...t.format, layout: layouts.get(name)! };
    for (const l of [...net.layers]) if (l.kind === 'reshape') convertBefore(net, l, ctx);
    // An in-place concat's inputs live inside its output: they take its format.
    for (const l of net.layers) {
      if (l.kind !== 'concat' || !l.inPlace) continue;
      const format = net.tensors.get(l.output)!.format;
      for (const t of l.inputs) net.tensors.get(t)!.format = { ...format };
    }
  },
};

/** Inserts an NHWC → NCHW conversion so that reshape `l` reads row-major data. */
function convertBefore(net: Network, l: ReshapeLayer, ctx: PassContext): void {
  const x = net.tensors.get(l.input)!;
  if (x.format.layout !== 'nhwc' || pixels(x.shape) === 1) return;
  const rowMajor = `${l.input}:nchw`;
  if (!net.tensors.has(rowMajor)) {
    net.tensors.set(rowMajor, { name: rowMajor, shape: [...x.shape], format: { ...x.format, layout: 'nchw' } });
    const convert: ConvertLayer = { kind: 'convert', name: freshLayerName(net, `${l.name}:to-nchw`), from: [], input: l.input, output: rowMajor };
    // Layers run in order, so `l` is the first reshape reading x: convert right before it.
    net.layers.splice(net.layers.indexOf(l), 0, convert);
    ctx.change(`convert ${l.input} nhwc → nchw before reshape ${l.name}`);
  }
  replaceUse(l, l.input, rowMajor);
}
