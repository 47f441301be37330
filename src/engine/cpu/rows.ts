// Row-wise layers on the CPU engine: softmax (with its fused scale and mask) over the last axis,
// and layer / RMS normalization (with a fused skip add) over the trailing axes. Where the
// WebAssembly kernels are, a plain softmax and a layer norm run the SIMD row kernels (rows split
// over the thread pool when large: api-rows.ts); otherwise (a scaled or masked softmax, an RMS
// norm, no WebAssembly) a JavaScript loop per row of the arena, statistics in double precision.
import { layerNorm, softmax } from '../../cpu/kernel-api.js';
import { elementCount } from '../../tensor/shape.js';
import type { NormLayer, SoftmaxLayer } from '../network.js';
import { gather } from './pointwise.js';
import type { CpuCompiler } from './tactic.js';

export const cpuSoftmax: CpuCompiler<SoftmaxLayer> = (l, net, wasm) => {
  const shape = net.tensors.get(l.input)!.shape;
  const axis = l.axis ?? shape.length - 1;
  // another axis with a longer tail is a strided softmax: left to the lowered executor
  if (elementCount(shape.slice(axis + 1)) !== 1) return [];
  const len = shape[axis] ?? 1;
  const rows = elementCount(shape) / len;
  const plain = l.mask === undefined && (l.scale ?? 1) === 1;
  return [{
    name: 'rows',
    scratchBytes: 0,
    prepare(env) {
      if (wasm && plain) {
        const k = env.mem.kernels;
        const x = env.at(l.input);
        const y = env.at(l.output);
        const log = l.log === true;
        return () => softmax(k, x, y, rows, len, log);
      }
      const x = env.at(l.input) / 4;
      const y = env.at(l.output) / 4;
      const mask = l.mask !== undefined ? gather(env.at(l.mask) / 4, net.tensors.get(l.mask)!.shape, shape) : undefined;
      const row = new Float32Array(len);
      const scale = l.scale ?? 1;
      return () => {
        const f = env.mem.f32();
        for (let r = 0; r < rows; r++) {
          const at = r * len;
          if (mask) mask(f, row, 0, at, len);
          let max = -Infinity;
          for (let i = 0; i < len; i++) {
            // rounded to f32 like the framework's Mul and Add nodes
            const v = mask ? Math.fround(Math.fround(f[x + at + i]! * scale) + row[i]!) : Math.fround(f[x + at + i]! * scale);
            row[i] = v;
            if (v > max) max = v;
          }
          let sum = 0;
          for (let i = 0; i < len; i++) sum += Math.exp(row[i]! - max);
          if (l.log) {
            const lse = Math.log(sum);
            for (let i = 0; i < len; i++) f[y + at + i] = row[i]! - max - lse;
          } else {
            for (let i = 0; i < len; i++) f[y + at + i] = Math.exp(row[i]! - max) / sum;
          }
        }
      };
    },
  }];
};

export const cpuNorm: CpuCompiler<NormLayer> = (l, net, wasm) => {
  const shape = net.tensors.get(l.input)!.shape;
  const len = elementCount(shape.slice(l.axis));
  const rows = elementCount(shape) / len;
  return [{
    name: 'rows',
    scratchBytes: 0,
    prepare(env) {
      if (wasm && !l.rms) {
        const k = env.mem.kernels;
        const x = env.at(l.input);
        const y = env.at(l.output);
        const gamma = env.mem.put(l.scale);
        const o = {
          ...(l.bias ? { beta: env.mem.put(l.bias) } : {}),
          ...(l.skip !== undefined ? { residual: env.at(l.skip) } : {}),
          ...(l.sum !== undefined ? { sumOut: env.at(l.sum) } : {}),
        };
        return () => layerNorm(k, x, y, rows, len, gamma, l.epsilon, o);
      }
      const x = env.at(l.input) / 4;
      const skip = l.skip !== undefined ? env.at(l.skip) / 4 : undefined;
      // with a skip, the layer may also write input + skip (the residual sum later layers read)
      const sumAt = l.sum !== undefined ? env.at(l.sum) / 4 : undefined;
      const y = env.at(l.output) / 4;
      const row = new Float32Array(len);
      const { scale, bias, epsilon, rms } = l;
      return () => {
        const f = env.mem.f32();
        for (let r = 0; r < rows; r++) {
          const at = r * len;
          let sum = 0;
          for (let i = 0; i < len; i++) {
            const v = skip === undefined ? f[x + at + i]! : Math.fround(f[x + at + i]! + f[skip + at + i]!);
            row[i] = v;
            sum += v;
          }
          const mean = rms ? 0 : sum / len;
          let sq = 0;
          for (let i = 0; i < len; i++) sq += (row[i]! - mean) * (row[i]! - mean);
          if (sumAt !== undefined) f.set(row, sumAt + at);
          const inv = 1 / Math.sqrt(sq / len + epsilon);
          if (bias) for (let i = 0; i < len; i++) f[y + at + i] = (row[i]! - mean) * inv * scale[i]! + bias[i]!;
          else for (let i = 0; i < len; i++) f[y + at + i] = (row[i]! - mean) * inv * scale[i]!;
        }
      };
    },
  }];
};
