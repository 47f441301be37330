// Convolution on raw addresses (see kernel-api.ts): weights packed once into a block of the
// kernels' memory, then per image and group Y_g = W_g · col(X_g) with the packed GEMM: im2col
// writes the GEMM's packed panels directly, and a 1×1, stride-1, unpadded conv multiplies X_g
// directly (on a 1×1 plane, a matrix-vector product on the packed weights). Convs with small
// weights and K ≤ 256 under a bias / residual / ReLU / Clip epilogue run the direct kernel instead
// (assembly/conv1x1.ts, conv-chunks.ts; convMethod says which). Depthwise convs (one input channel
// per group) run a direct kernel. The epilogue (bias, residual, activation) is fused either way.
import { scratchPerThread, splitRange, splitWork, threadsFor } from './parallel.js';
import { threadLocal } from './pool-claims.js';
import { activationCode, writeEpilogue, type Epilogue } from './epilogue.js';
import type { KernelCall } from './thread-pool.js';
import type { ReservedBlock, WasmKernels } from './wasm-kernels.js';

/** A 2-D conv's geometry (a 1-D conv has ih = kh = oh = 1): pads are the leading ones. */
export interface ConvShape {
  n: number; c: number; m: number; group: number;
  ih: number; iw: number; kh: number; kw: number; sh: number; sw: number;
  dh: number; dw: number; ph: number; pw: number; oh: number; ow: number;
}

/** Conv weights as the kernels read them: at `at`, in `block` when persistent. */
export interface PackedConv {
  readonly at: number;
  readonly block?: ReservedBlock;
  readonly m: number;
  readonly group: number;
  /** Input channels × kernel taps per group (the GEMM's K). */
  readonly k: number;
  readonly depthwise: boolean;
  /** Bytes between the packed weights of consecutive groups. */
  readonly groupBytes: number;
}

/**
 * Packs the OIHW weights [m, c/group, kh, kw] of the conv `s` (floats, or their byte address in the
 * kernels' memory) into a persistent block, or with `transient` into the current call's arena.
 * Depthwise convs (one input channel per group) keep the OIHW layout. Release the block
 * (`packed.block.release()`) when the weights are no longer used.
 */
export function packConvWeights(wasm: WasmKernels, w: Float32Array | number, s: ConvShape, transient = false): PackedConv {
  const { m, group } = s;
  const kPerGroup = (s.c / group) * s.kh * s.kw;
  const depthwise = s.c === group;
  const mg = m / group;
  const groupFloats = depthwise ? 0 : wasm.k.packedAFloats(mg, kPerGroup);
  const floats = depthwise ? m * kPerGroup : groupFloats * group;
  const block = transient ? undefined : wasm.reserve(floats);
  const at = block ? block.at : wasm.alloc(floats);
  const mark = wasm.mark();
  const src = typeof w === 'number' ? w : wasm.put(w);
  if (depthwise) wasm.floats().copyWithin(at / 4, src / 4, src / 4 + floats);
  else for (let g = 0; g < group; g++) wasm.k.packAPanels(src + g * mg * kPerGroup * 4, kPerGroup, 1, mg, kPerGroup, 1, at + g * groupFloats * 4);
  wasm.rewind(mark);
  return { at, block, m, group, k: kPerGroup, depthwise, groupBytes: groupFloats * 4 };
}

/** The method conv2d runs for this geometry and epilogue (the executor's name in plans and logs). */
export function convMethod(s: ConvShape, ep?: Epilogue): 'depthwise' | 'gemv-1x1' | 'direct-1x1' | 'im2col-direct' | 'gemm-1x1' | 'im2col-gemm' {
  if (s.c === s.group && s.group > 1) return 'depthwise';
  const direct = s.kh === 1 && s.kw === 1 && s.sh === 1 && s.sw === 1 && s.ph === 0 && s.pw === 0 && s.oh === s.ih && s.ow === s.iw;
  if (direct && s.oh * s.ow === 1) return 'gemv-1x1';
  const K = (s.c / s.group) * s.kh * s.kw;
  if (directApplies(s.m / s.group, K, ep)) return s.kh === 1 && s.kw === 1 ? 'direct-1x1' : 'im2col-direct';
  return direct ? 'gemm-1x1' : 'im2col-gemm';
}

/** The largest share of `total` one of `threads` parts gets when parts are multiples of `align`. */
function largestShare(total: number, threads: number, align: number): number {
  return Math.min(total, Math.ceil(total / threads / align) * align) / total;
}

/**
 * How much worse (as a share of the work) one split may balance the threads than the other and
 * still be taken for reading less (byRows).
 */
const BALANCE_SLACK = 0.05;

/**
 * Whether to split a conv's GEMM (mg output channels × P positions × K) over output channels
 * rather than output positions. Where the balance differs by more than BALANCE_SLACK, the better
 * balanced split (7×7 planes: positions split 32 + 17, channels evenly; a 1×1 plane: channels
 * only). Otherwise the one that reads less per thread: by positions, all weights and a share of
 * the input; by channels, a share of the weights and all the input. Ties go to positions: the
 * layers before and after split the plane the same way, so a thread reads what it wrote itself
 * (thread-pool.ts). Measured (ResNet-50, SqueezeNet, 2 threads): SqueezeNet's 55×55 convs (16-64
 * outputs, 1520 + 1505 positions) ran 1.5-2.5× slower in a model's run split by channels; ResNet's
 * 14×14 256→1024 convs ~8% slower split by positions.
 */
function byRows(P: number, mg: number, K: number, threads: number): boolean {
  if (threads <= 1) return false;
  const rowsShare = largestShare(mg, threads, 4);
  const posShare = largestShare(P, threads, 8);
  if (Math.abs(rowsShare - posShare) > BALANCE_SLACK) return rowsShare < posShare;
  const readsByPositions = mg * K + K * P * posShare;
  const readsByRows = mg * K * rowsShare + K * P;
  return readsByRows < readsByPositions;
}

/**
 * Y[n, m, oh, ow] = conv(X[n, c, ih, iw], W) then the epilogue (bias per output channel, residual
 * shaped like Y). x, y and the epilogue's addresses are byte addresses in the kernels' memory.
 */
export function conv2d(wasm: WasmKernels, s: ConvShape, x: number, w: PackedConv, y: number, ep?: Epilogue): void {
  const mark = wasm.mark();
  const { k } = wasm;
  const { n, c, m, group, ih, iw, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow } = s;
  const P = oh * ow;
  const cg = c / group;
  const mg = m / group;
  const bias = ep?.bias ?? 0;
  const res = ep?.residual ?? 0;
  if (w.depthwise) {
    const scratch = scratchPerThread(wasm, k.depthwiseScratchFloats(oh, ow, kh, kw, sh, sw, dh, dw));
    // a depthwise multiply-add costs about two of the GEMM's (threadsFor's unit)
    const threads = threadsFor(wasm, n * m * P * kh * kw * 2);
    const plane = ih * iw * 4;
    const call = (i: number, images: number, c0: number, cc: number, t: number, oy0 = 0, rows = oh): KernelCall => {
      const yOff = (i * m + c0 * mg) * P * 4;
      const epAt = writeEpilogue(wasm, { ...ep, bias: undefined }, 0, 0, res ? res + yOff : 0);
      return ['depthwise2d', [
        x + (i * c + c0) * plane, w.at + c0 * mg * kh * kw * 4, bias ? bias + c0 * mg * 4 : 0, bias ? 1 : 0,
        y + yOff, images, cc, mg, ih, iw, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, oy0, rows, scratch[t]!, epAt,
      ]];
    };
    // whole images per thread when there are enough of them (one call each); else bands of output
    // rows of every plane, the split the 1×1 convs around it make (each thread reads what it wrote),
    // or channels where rows split badly (small planes) or the kernel would pad whole planes per band
    const direct3x3 = kh === 3 && kw === 3 && dh === 1 && dw === 1 && (sw === 1 || sw === 2);
    if (n >= threads) wasm.run(splitRange(n, threads).map(([i0, ni], t) => [call(i0, ni, 0, c, t)]));
    else if (threads > 1 && direct3x3 && largestShare(oh, threads, 1) <= largestShare(c, threads, 1) + BALANCE_SLACK) {
      wasm.run(splitRange(oh, threads).map(([oy0, rows], t) => Array.from({ length: n }, (_, i) => call(i, 1, 0, c, t, oy0, rows))));
    } else wasm.run(splitRange(c, threads).map(([c0, cc], t) => Array.from({ length: n }, (_, i) => call(i, 1, c0, cc, t))));
    wasm.rewind(mark);
    return;
  }
  const K = cg * kh * kw;
  const method = convMethod(s, ep);
  if (method === 'gemv-1x1' || method === 'direct-1x1' || method === 'im2col-direct') {
    (method === 'gemv-1x1' ? gemv : convDirect)(wasm, s, x, w, y, ep);
    wasm.rewind(mark);
    return;
  }
  // a strided or padded 1×1 gathers its positions into a plain [c/group][oh·ow] matrix, which the
  // GEMM reads like a stride-1 1×1's input: im2col's packed panels cost more to write (each col
  // row's 8-float pieces land a whole panel, 8 KiB at K ≥ 256, apart; ResNet's 256→512 stride-2
  // conv ran 46.7 GFLOP/s that way, 49.4 gathered)
  const gather = method === 'im2col-gemm' && kh === 1 && kw === 1;
  const direct = method === 'gemm-1x1' || gather;
  // otherwise im2col writes the GEMM's packed B directly (a row buffer per thread)
  const nPad = Math.ceil(P / 8) * 8;
  const col = gather ? wasm.alloc(cg * P) : direct ? 0 : wasm.alloc(k.packedBFloats(K, P));
  const rows = direct ? [] : scratchPerThread(wasm, nPad + 8);
  const scratch = scratchPerThread(wasm, k.gemmScratchFloats());
  const imageBytes = ih * iw * 4;
  const mPad = Math.ceil(mg / 4) * 4;
  for (let i = 0; i < n; i++) {
    for (let g = 0; g < group; g++) {
      let xAt = x + (i * c + g * cg) * imageBytes;
      const parts = splitRange(cg, threadsFor(wasm, K * P * 8));
      if (gather) {
        wasm.run(parts.map(([c0, cc]) => [['im2col2d', [xAt + c0 * imageBytes, cc, ih, iw, 1, 1, sh, sw, 1, 1, ph, pw, oh, ow, col + c0 * P * 4]] as KernelCall]));
        xAt = col;
      } else if (!direct) {
        wasm.run(parts.map(([c0, cc], t) => [['im2colPacked', [
          xAt + c0 * imageBytes, cc, c0 * kh * kw, K, ih, iw, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, col, rows[t]!,
        ]] as KernelCall]));
      }
      const yOff = (i * m + g * mg) * P * 4;
      const threads = threadsFor(wasm, mg * P * K);
      if (byRows(P, mg, K, threads)) {
        // output channels split: each list packs all of B (small beside its share of A · B; two
        // lists a thread at most, for that)
        wasm.run(splitWork(wasm, mg, mg * P * K, 4, 2).map(([i0, mi]) => {
          const at = yOff + i0 * P * 4;
          const epAt = writeEpilogue(wasm, ep, bias ? bias + (g * mg + i0) * 4 : 0, 0, res ? res + at : 0);
          const b = direct ? [xAt, P, 1, 0] : [col, nPad, 0, 1];
          return [['gemmEx', [mi, P, K, w.at + g * w.groupBytes, mPad, i0, 1, ...b, y + at, P, 0, 1, threadLocal(0), epAt]] as KernelCall];
        }), [scratch]);
        continue;
      }
      wasm.run(splitWork(wasm, P, mg * P * K, 8).map(([j0, nj]) => {
        const epAt = writeEpilogue(wasm, ep, bias ? bias + g * mg * 4 : 0, 0, res ? res + yOff + j0 * 4 : 0);
        const b = direct ? [xAt + j0 * 4, P, 1, 0] : [col, nPad, j0, 1];
        return [['gemmEx', [mg, nj, K, w.at + g * w.groupBytes, mPad, 0, 1, ...b, y + yOff + j0 * 4, P, 0, 1, threadLocal(0), epAt]] as KernelCall];
      }), [scratch]);
    }
  }
  wasm.rewind(mark);
}

/** A 1×1 conv on a 1×1 plane: per image and group y = W_g · x_g on the packed weights, rows over threads. */
function gemv(wasm: WasmKernels, s: ConvShape, x: number, w: PackedConv, y: number, ep?: Epilogue): void {
  const { n, c, m, group } = s;
  const cg = c / group;
  const mg = m / group;
  const mPad = Math.ceil(mg / 4) * 4;
  const bias = ep?.bias ?? 0;
  const res = ep?.residual ?? 0;
  // one multiply-add here streams its weight from memory: about two of the GEMM's (threadsFor's unit)
  const parts = splitRange(mg, threadsFor(wasm, mg * cg * 2), 4);
  for (let i = 0; i < n; i++) {
    for (let g = 0; g < group; g++) {
      const yOff = (i * m + g * mg) * 4;
      wasm.run(parts.map(([r0, rows]) => {
        const epAt = writeEpilogue(wasm, ep, bias ? bias + (g * mg + r0) * 4 : 0, 0, res ? res + yOff + r0 * 4 : 0);
        return [['gemvPackedA', [w.at + g * w.groupBytes, mPad, cg, r0, rows, x + (i * c + g * cg) * 4, y + yOff + r0 * 4, epAt]] as KernelCall];
      }));
    }
  }
}

/**
 * Packed weights up to this many floats (256 KiB) stay in L2 while conv1x1Direct sweeps them once
 * per 8 columns; larger ones run the GEMM, which blocks them (measured: equal at 64K floats, the
 * GEMM ~3% ahead at 256K; the direct kernel 10-40% ahead on SqueezeNet's convs of 16-64 channels).
 */
const DIRECT_1X1_FLOATS = 1 << 16;
/**
 * Deeper inputs run the GEMM: the 8 columns' K rows of x (two cache lines each when unaligned)
 * no longer stay in L1 across the weights' row panels (SqueezeNet's 384- and 512-deep squeeze
 * convs on 13×13: direct 43-47 GFLOP/s, GEMM 47-48).
 */
const DIRECT_1X1_K = 256;

/** Whether conv1x1Direct runs a conv of mg outputs and K = c/group · kh · kw per group with this epilogue. */
function directApplies(mg: number, K: number, ep?: Epilogue): boolean {
  const act = ep?.activation?.kind;
  const simple = act === undefined || act === 'relu' || act === 'clip';
  return simple && !(ep?.residual !== undefined && ep.activationBeforeResidual && act !== undefined) && K <= DIRECT_1X1_K && Math.ceil(mg / 4) * 4 * K <= DIRECT_1X1_FLOATS;
}

/**
 * A conv on conv1x1Direct (its bias, residual and activation in registers): a 1×1 reads its input
 * in place, or a [c/group][oh·ow] matrix of the positions a stride or pad picks (im2col of a 1×1
 * kernel); a larger kernel reads im2col's packed panels, built a chunk of positions at a time by
 * the thread that multiplies them (convChunks). Threads split the output positions, or the output
 * channels on small planes (im2col then runs whole, before).
 */
function convDirect(wasm: WasmKernels, s: ConvShape, x: number, w: PackedConv, y: number, ep?: Epilogue): void {
  const { k } = wasm;
  const { n, c, m, group, ih, iw, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow } = s;
  const P = oh * ow;
  const cg = c / group;
  const mg = m / group;
  const K = cg * kh * kw;
  const mPad = Math.ceil(mg / 4) * 4;
  const [act, p0, p1] = activationCode(ep?.activation);
  const bias = ep?.bias ?? 0;
  const res = ep?.residual ?? 0;
  const oneByOne = kh === 1 && kw === 1;
  const inPlace = oneByOne && sh === 1 && sw === 1 && ph === 0 && pw === 0 && oh === ih && ow === iw;
  const scratch = scratchPerThread(wasm, k.conv1x1ScratchFloats(K));
  const threads = threadsFor(wasm, mg * P * K);
  const rows = byRows(P, mg, K, threads);
  const parts = rows ? splitWork(wasm, mg, mg * P * K, 4) : splitWork(wasm, P, mg * P * K, 8);
  const imageBytes = ih * iw * 4;
  if (!oneByOne && !rows) {
    // each thread its positions, im2col in chunks that stay in L2 (conv-chunks.ts)
    const bufs = scratchPerThread(wasm, k.convChunkFloats(K));
    for (let i = 0; i < n; i++) {
      for (let g = 0; g < group; g++) {
        const xAt = x + (i * c + g * cg) * imageBytes;
        const yOff = (i * m + g * mg) * P * 4;
        wasm.run(parts.map(([j0, nj]) => [['convChunks', [
          xAt, cg, ih, iw, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, w.at + g * w.groupBytes, mPad, mg, j0, nj,
          y + yOff, bias ? bias + g * mg * 4 : 0, res ? res + yOff : 0, act, p0, p1, threadLocal(0), threadLocal(1),
        ]] as KernelCall]), [bufs, scratch]);
      }
    }
    return;
  }
  const gathered = inPlace ? 0 : wasm.alloc(oneByOne ? cg * P : k.packedBFloats(K, P));
  const rowBuffers = oneByOne ? [] : scratchPerThread(wasm, Math.ceil(P / 8) * 8 + 8);
  for (let i = 0; i < n; i++) {
    for (let g = 0; g < group; g++) {
      let xAt = x + (i * c + g * cg) * imageBytes;
      const gather = splitRange(cg, threadsFor(wasm, K * P * 8));
      if (oneByOne && !inPlace) {
        wasm.run(gather.map(([c0, cc]) => [['im2col2d', [
          xAt + c0 * imageBytes, cc, ih, iw, 1, 1, sh, sw, 1, 1, ph, pw, oh, ow, gathered + c0 * P * 4,
        ]] as KernelCall]));
      } else if (!oneByOne) {
        wasm.run(gather.map(([c0, cc], t) => [['im2colPacked', [
          xAt + c0 * imageBytes, cc, c0 * kh * kw, K, ih, iw, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, gathered, rowBuffers[t]!,
        ]] as KernelCall]));
      }
      if (!inPlace) xAt = gathered;
      const ldx = oneByOne ? P : 0; // 0: im2col's packed panels
      const yOff = (i * m + g * mg) * P * 4;
      const wAt = w.at + g * w.groupBytes;
      const bAt = bias ? bias + g * mg * 4 : 0;
      wasm.run(parts.map(([start, count]) => {
        const [r0, nr, j0, nj] = rows ? [start, count, 0, P] : [0, mg, start, count];
        const b = ldx ? xAt : xAt + j0 * K * 4; // packed panels from column j0
        return [['conv1x1Direct', [wAt, mPad, mg, K, r0, nr, b, ldx, j0, nj, P, y + yOff, bAt, res ? res + yOff : 0, act, p0, p1, threadLocal(0)]] as KernelCall];
      }), [scratch]);
    }
  }
}
