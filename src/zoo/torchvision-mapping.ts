// Puts the weights of a torchvision ONNX export into a zoo net: both sides' weight layers are paired
// in order (the zoo's in block-registration order, the ONNX's in node order) with shape checks.
// Where the exporter folded a BatchNorm into the conv before it, the zoo's BatchNorm becomes the
// identity carrying the folded bias (gamma 1, beta = bias, mean 0, var = 1 − eps, so that
// sqrt(var + eps) = 1) and the zoo conv takes the folded weight.
import { ShapeError, UnsupportedError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import type { HybridBlock } from '../nn/block.js';
import { BatchNorm, Dense } from '../nn/layers/basic.js';
import { Conv2D } from '../nn/layers/conv.js';
import type { Parameter } from '../nn/parameter.js';
import { Tensor } from '../tensor/tensor.js';
import { describeOnnxLayer, type OnnxBnLayer, type OnnxLayer } from './torchvision-onnx-layers.js';
import { elementCount } from '../tensor/shape.js';

type F32 = Tensor<'float32'>;

export interface ZooBnLayer { kind: 'bn'; block: BatchNorm; path: string }
export interface ZooConvLayer { kind: 'conv'; block: Conv2D; path: string; /** The BatchNorm applied to this conv's output alone. */ bn: ZooBnLayer | undefined }
export interface ZooDenseLayer { kind: 'dense'; block: Dense; path: string }
export type ZooLayer = ZooConvLayer | ZooBnLayer | ZooDenseLayer;

export function describeZooLayer(z: ZooLayer): string {
  const p = z.kind === 'bn' ? z.block.gamma : z.block.weight;
  return `zoo ${z.block.constructor.name} '${z.path}' (${p.name} [${p.shape.join(',')}])`;
}

/**
 * The zoo net's weight layers in registration order. `traced` is the net traced for the input shape
 * (which also sizes deferred parameters); it tells which BatchNorm directly follows which conv.
 */
export function zooLayers(net: HybridBlock, traced: Graph): ZooLayer[] {
  const out: ZooLayer[] = [];
  const covered = new Set<Parameter>();
  const walk = (b: HybridBlock, path: string): void => {
    if (b instanceof Conv2D) out.push({ kind: 'conv', block: b, path, bn: undefined });
    else if (b instanceof Dense) out.push({ kind: 'dense', block: b, path });
    else if (b instanceof BatchNorm) out.push({ kind: 'bn', block: b, path });
    for (const [k, c] of b.childBlocks()) walk(c, path ? `${path}.${k}` : k);
  };
  walk(net, '');
  const bnByGamma = new Map<string, ZooBnLayer>();
  for (const z of out) {
    if (z.kind === 'bn') {
      bnByGamma.set(z.block.gamma.name, z);
      [z.block.gamma, z.block.beta, z.block.runningMean, z.block.runningVar].forEach((p) => covered.add(p));
    } else {
      covered.add(z.block.weight);
      if (z.block.bias) covered.add(z.block.bias);
    }
  }
  for (const p of net.collectParams().values()) {
    if (!covered.has(p)) throw new UnsupportedError(`zoo parameter '${p.name}' belongs to a layer kind the torchvision check does not map`, { hint: 'it maps Conv2D, Dense and BatchNorm' });
  }
  const consumers = traced.consumers();
  for (const n of traced.nodes) {
    if (n.opType !== 'Conv') continue;
    const conv = out.find((z): z is ZooConvLayer => z.kind === 'conv' && z.block.weight.name === n.inputs[1]);
    const users = consumers.get(n.outputs[0]!) ?? [];
    if (conv && users.length === 1 && users[0]!.opType === 'BatchNormalization') conv.bn = bnByGamma.get(users[0]!.inputs[1]!);
  }
  return out;
}

/**
 * The same layers in the order the traced forward pass first uses them (where a block computes a
 * later-registered branch first, as Gluon's ResNet v1 blocks do with their downsample).
 */
export function inDataflowOrder(layers: ZooLayer[], traced: Graph): ZooLayer[] {
  const firstUse = new Map<string, number>();
  traced.nodes.forEach((n, i) => n.inputs.forEach((v) => firstUse.has(v) || firstUse.set(v, i)));
  const at = (z: ZooLayer) => firstUse.get((z.kind === 'bn' ? z.block.gamma : z.block.weight).name) ?? Infinity;
  return [...layers].sort((a, b) => at(a) - at(b));
}

export interface MappingResult {
  /** ONNX layers whose weights went into the zoo net. */
  onnxLayers: number;
  /** Zoo BatchNorms set to the identity because the exporter folded them into the conv before. */
  foldedBatchNorms: number;
  /** Zoo convs torchvision does not have, set to the identity (see torchvision-variants.ts). */
  identityLayers: number;
  /** Paired layers whose weights fit but whose computation differs (strides, pads, groups). */
  differences: string[];
  notes: string[];
}

const full = (shape: readonly number[], v: number): F32 => new Tensor('float32', shape, new Float32Array(elementCount(shape)).fill(v));
const isZero = (t: F32): boolean => t.data.every((v) => v === 0);

function set(p: Parameter, t: F32, from: string): void {
  if (p.shape.join(',') !== t.shape.join(',')) {
    throw new ShapeError(`zoo parameter '${p.name}' has shape [${p.shape.join(',')}], ${from} gives [${t.shape.join(',')}]`, {
      hint: 'the architectures differ here (or their layers come in another order)',
    });
  }
  p.setData(t);
}

function identityBn(bn: BatchNorm, beta: F32 | undefined, from: string): void {
  const c = bn.gamma.shape;
  set(bn.gamma, full(c, 1), from);
  set(bn.beta, beta ?? full(c, 0), from);
  set(bn.runningMean, full(c, 0), from);
  set(bn.runningVar, full(c, 1 - bn.epsilon), from);
}

/** The ONNX BatchNorm's statistics; a conv bias the zoo conv lacks moves into the mean. */
function copyBn(bn: BatchNorm, o: OnnxBnLayer, biasBefore: F32 | undefined): void {
  const from = describeOnnxLayer(o);
  set(bn.gamma, o.scale, from);
  set(bn.beta, o.bias, from);
  set(bn.runningMean, biasBefore ? new Tensor('float32', o.mean.shape, o.mean.data.map((m, i) => m - biasBefore.data[i]!)) : o.mean, from);
  // sqrt(var + eps) must stay the same under the zoo's epsilon
  set(bn.runningVar, new Tensor('float32', o.variance.shape, o.variance.data.map((v) => v + o.epsilon - bn.epsilon)), from);
}

/** A BatchNorm torchvision kept after a conv the zoo follows with none: folded into the zoo conv. */
function foldBnInto(w: F32, b: F32 | undefined, o: OnnxBnLayer): [F32, F32] {
  const c = w.shape[0]!;
  const per = w.size / c;
  const s = o.scale.data.map((g, i) => g / Math.sqrt(o.variance.data[i]! + o.epsilon));
  const wf = new Tensor('float32', w.shape, w.data.map((v, i) => v * s[Math.floor(i / per)]!));
  const bf = new Tensor('float32', [c], o.bias.data.map((beta, i) => beta + ((b?.data[i] ?? 0) - o.mean.data[i]!) * s[i]!));
  return [wf, bf];
}

export function mapTorchvisionWeights(zoo: ZooLayer[], onnx: OnnxLayer[], opts: { identityConvs?: ReadonlySet<Conv2D> } = {}): MappingResult {
  const res: MappingResult = { onnxLayers: 0, foldedBatchNorms: 0, identityLayers: 0, differences: [], notes: [] };
  const usedZoo = new Set<ZooLayer>();
  const usedOnnx = new Set<OnnxLayer>();
  const diverge = (z: ZooLayer, o: OnnxLayer) =>
    new ShapeError(`${describeZooLayer(z)} meets ${describeOnnxLayer(o)}: the layer sequences diverge here`, { hint: 'the architectures differ at this point' });
  /** The zoo layer's own bias from an ONNX bias (or none). */
  const setBias = (z: ZooConvLayer | ZooDenseLayer, b: F32 | undefined, from: string): void => {
    if (z.block.bias) set(z.block.bias, b ?? full([z.block.weight.shape[0]!], 0), from);
    else if (b && !isZero(b)) throw new ShapeError(`${from} has a nonzero bias that ${describeZooLayer(z)} has no parameter for`, { hint: 'the architectures differ here' });
    else if (b) res.notes.push(`${from}: its bias is all zeros; ${describeZooLayer(z)} has none (equal here, differs once trained)`);
  };

  let j = 0;
  for (const z of zoo) {
    if (usedZoo.has(z)) continue;
    if (z.kind === 'conv' && opts.identityConvs?.has(z.block)) {
      const [c, ci, ...k] = z.block.weight.shape as [number, number, ...number[]];
      if (c !== ci || z.block.groups !== 1 || k.some((d) => d !== 1)) throw new ShapeError(`${describeZooLayer(z)} cannot be an identity: it is not a square 1×1 conv`);
      set(z.block.weight, new Tensor('float32', z.block.weight.shape, new Float32Array(c * c).map((_, i) => (i % (c + 1) === 0 ? 1 : 0))), 'the identity');
      if (z.block.bias) set(z.block.bias, full([c], 0), 'the identity');
      if (z.bn) {
        identityBn(z.bn.block, undefined, 'the identity');
        usedZoo.add(z.bn);
      }
      res.identityLayers++;
      continue;
    }
    while (j < onnx.length && usedOnnx.has(onnx[j]!)) j++;
    const o = onnx[j];
    if (!o) {
      throw new ShapeError(`the ONNX model has no weights left for ${describeZooLayer(z)}`, { hint: 'the zoo net has weight layers torchvision\'s lacks' });
    }
    usedOnnx.add(o);
    const from = describeOnnxLayer(o);
    if (z.kind === 'bn') {
      if (o.kind !== 'bn') throw diverge(z, o);
      copyBn(z.block, o, undefined);
      continue;
    }
    if (z.kind === 'dense') {
      if (o.kind !== 'linear') throw diverge(z, o);
      set(z.block.weight, o.weight, from);
      setBias(z, o.bias, from);
      continue;
    }
    // a conv: from an ONNX conv, or a 1×1 conv from a linear layer (MobileNetV2's classifier)
    const w = z.block.weight;
    let weight: F32;
    let oBn: OnnxBnLayer | undefined;
    if (o.kind === 'conv') {
      weight = o.weight;
      oBn = o.bn;
      const attr = (what: string, mine: number[], theirs: number[]) => {
        if (mine.join(',') !== theirs.join(',')) res.differences.push(`${describeZooLayer(z)}: ${what} [${mine.join(',')}], torchvision's ${from} [${theirs.join(',')}]`);
      };
      attr('strides', z.block.strides, o.strides);
      attr('pads', [...z.block.padding, ...z.block.padding], o.pads);
      attr('dilations', z.block.dilation, o.dilations);
      attr('group', [z.block.groups], [o.group]);
    } else if (o.kind === 'linear' && w.shape.slice(2).every((d) => d === 1) && w.shape[0] === o.weight.shape[0] && w.shape[1] === o.weight.shape[1]) {
      weight = o.weight.reshape(w.shape);
      res.notes.push(`${describeZooLayer(z)} takes the weight of ${from} (a 1×1 conv after global pooling computes the same)`);
    } else {
      throw diverge(z, o);
    }
    const bias = o.bias;
    if (z.bn && oBn) {
      // both keep the BatchNorm: copy it; a conv bias the zoo conv lacks moves into its mean
      usedZoo.add(z.bn);
      usedOnnx.add(oBn);
      set(w, weight, from);
      if (z.block.bias) set(z.block.bias, bias ?? full([w.shape[0]!], 0), from);
      copyBn(z.bn.block, oBn, z.block.bias ? undefined : bias);
    } else if (z.bn) {
      // folded by the exporter: the conv keeps the folded weight, the BatchNorm adds the bias
      usedZoo.add(z.bn);
      set(w, weight, from);
      if (z.block.bias) set(z.block.bias, full([w.shape[0]!], 0), from);
      identityBn(z.bn.block, bias, from);
      res.foldedBatchNorms++;
    } else if (oBn) {
      usedOnnx.add(oBn);
      if (!z.block.bias) throw new ShapeError(`${describeZooLayer(z)} has neither a BatchNorm nor a bias to take ${describeOnnxLayer(oBn)}`, { hint: 'the architectures differ here' });
      const [wf, bf] = foldBnInto(weight, bias, oBn);
      set(w, wf, from);
      set(z.block.bias, bf, from);
      res.notes.push(`${describeOnnxLayer(oBn)} folded into ${describeZooLayer(z)}, which has no BatchNorm`);
    } else {
      set(w, weight, from);
      setBias(z, bias, from);
    }
  }
  const left = onnx.filter((l) => !usedOnnx.has(l));
  if (left.length) {
    throw new ShapeError(`torchvision's model has ${left.length} weight layer(s) the zoo net lacks, the first ${describeOnnxLayer(left[0]!)}`, {
      hint: 'the zoo net has fewer weight layers than torchvision\'s',
    });
  }
  res.onnxLayers = usedOnnx.size;
  return res;
}
