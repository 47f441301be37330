// Seeded mutation fuzzing of nnrt's parsers: ONNX models (parsed, shape-inferred and run on the CPU
// under a small memory budget), MXNet symbol JSON and .params, engine plans and timing caches
// (what the engine cache and --timing-cache read). A case passes when it succeeds or throws an
// NnrtError; anything else is a crash. Shared by test/safety/fuzz.test.ts (bounded, in CI) and
// scripts/fuzz-long.ts (long runs with hang detection).
import { checkPlanFitsDevice, fnv1a64Words, PLAN_FORMAT_VERSION, parsePlan, serializePlan, type EnginePlan } from '../../src/engine/plan-format.js';
import { TimingCache } from '../../src/engine/timing-cache.js';
import { NnrtError } from '../../src/errors.js';
import { CpuExecutor } from '../../src/executor/executor.js';
import { inferShapes } from '../../src/ir/infer.js';
import { exportMxnet, importMxnet } from '../../src/mxnet/index.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import '../../src/ops/index.js';
import { opTyper } from '../../src/ops/typer.js';
import { mulberry32 } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { smallCnnModel } from './small-model.js';

export type Outcome = 'ok' | 'typed' | 'crash';

export interface FuzzTarget {
  name: string;
  seed: Uint8Array;
  /** Parses (and where it can, runs) the bytes; throws what nnrt throws. */
  run(bytes: Uint8Array): void;
}

const FUZZ_BUDGET = 64 * 2 ** 20; // bytes of live tensors a mutated model may hold
const IDENTITY = { nnrtVersion: '0.1.0', adapter: { vendor: 'v', architecture: 'a', description: 'd' } };

function runOnnx(bytes: Uint8Array): void {
  const { graph } = importOnnx(bytes);
  const feeds: Record<string, Tensor> = {};
  const shapes: Record<string, number[]> = {};
  for (const v of graph.inputs) {
    if (graph.initializers.has(v.name)) continue;
    const shape = v.shape.map((d) => (typeof d === 'number' ? d : 1));
    shapes[v.name] = shape;
    const size = shape.reduce((a, d) => a * d, 1);
    if (v.dtype !== 'float32' || size > 1 << 20) return; // parsed and checked; not run
    feeds[v.name] = new Tensor('float32', shape, new Float32Array(size).fill(0.5));
  }
  inferShapes(graph, opTyper, shapes);
  new CpuExecutor(graph, { memoryBudget: FUZZ_BUDGET }).run(feeds);
}

function samplePlan(): EnginePlan {
  return {
    header: {
      format: 'nnrt-plan', formatVersion: PLAN_FORMAT_VERSION, nnrtVersion: '0.1.0', adapter: IDENTITY.adapter,
      precision: 'fp16', graphHash: '0123456789abcdef', inputs: [{ name: 'x', shape: [1, 3, 8, 8] }], outputs: [{ name: 'y', shape: [1, 10] }],
    },
    kernels: ['@compute @workgroup_size(64) fn main() {}'],
    dispatches: [{ kernel: 0, bindings: [{ buffer: 'arena', offset: 0, size: 768 }, { buffer: 'constants', offset: 0, size: 64 }], workgroups: [4, 1, 1], layer: 0 }],
    layers: [{ name: 'conv', kind: 'conv', from: ['conv', 'relu'], tactic: 't' }],
    arenaBytes: 1024, naiveBytes: 2048,
    io: { inputs: [{ name: 'x', offset: 0, bytes: 768 }], outputs: [{ name: 'y', offset: 768, bytes: 40 }] },
    constants: new Uint8Array(64).map((_, i) => i),
  };
}

function sampleTimingCache(): Uint8Array {
  const c = new TimingCache(IDENTITY);
  for (let i = 0; i < 6; i++) c.set(`sig${i}`, `tactic-${i % 3}`, 0.01 * (i + 1));
  return c.serialize();
}

/** A plan file around `json` with a valid checksum: mutations reach the fields behind it. */
function planWithJson(json: Uint8Array, constants: Uint8Array): Uint8Array {
  const at = 16 + Math.ceil(json.length / 4) * 4;
  const out = new Uint8Array(at + constants.length + 8);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode('NNRTPLAN'), 0);
  view.setUint32(8, PLAN_FORMAT_VERSION, true);
  view.setUint32(12, json.length, true);
  out.set(json, 16);
  out.set(constants, at);
  const [hi, lo] = fnv1a64Words(out.subarray(0, out.length - 8));
  view.setUint32(out.length - 8, hi, false);
  view.setUint32(out.length - 4, lo, false);
  return out;
}

const H200_LIMITS = { maxBufferSize: 2 ** 32, maxComputeWorkgroupsPerDimension: 65535, maxStorageBufferBindingSize: 2 ** 31 };

export function fuzzTargets(): FuzzTarget[] {
  const onnx = smallCnnModel();
  const mx = exportMxnet(importOnnx(onnx).graph);
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  return [
    { name: 'onnx', seed: onnx, run: runOnnx },
    { name: 'mxnet-symbol', seed: enc.encode(mx.symbolJson), run: (b) => void importMxnet(dec.decode(b), mx.params) },
    { name: 'mxnet-params', seed: mx.params, run: (b) => void importMxnet(mx.symbolJson, b) },
    { name: 'plan', seed: serializePlan(samplePlan()), run: (b) => void parsePlan(b) },
    {
      name: 'plan-fields',
      seed: (() => { const { constants, ...rest } = samplePlan(); return enc.encode(JSON.stringify({ ...rest, constantsBytes: constants.length })); })(),
      run: (b) => checkPlanFitsDevice(parsePlan(planWithJson(b, samplePlan().constants)), H200_LIMITS),
    },
    { name: 'timing-cache', seed: sampleTimingCache(), run: (b) => void TimingCache.parse(b, IDENTITY) },
  ];
}

/** One mutation of `seed`: bit flips, byte overwrites (small and extreme values), cuts, copies. */
export function mutate(seed: Uint8Array, rand: () => number): Uint8Array {
  let b = new Uint8Array(seed);
  const at = () => Math.floor(rand() * b.length);
  const edits = 1 + Math.floor(rand() * 4);
  for (let e = 0; e < edits && b.length; e++) {
    const k = Math.floor(rand() * 7);
    if (k === 0) b[at()] ^= 1 << Math.floor(rand() * 8);
    else if (k === 1) b[at()] = [0, 1, 0x7f, 0x80, 0xff][Math.floor(rand() * 5)]!;
    else if (k === 2) b = b.slice(0, at()); // truncation
    else if (k === 3) { // a run of 0xff: huge varints, NaN floats
      const i = at();
      b.fill(0xff, i, Math.min(b.length, i + 1 + Math.floor(rand() * 8)));
    } else if (k === 4) { // duplicate a chunk
      const i = at();
      const n = Math.floor(rand() * 32);
      b = new Uint8Array([...b.subarray(0, i), ...b.subarray(i, i + n), ...b.subarray(i)]);
    } else if (k === 5) { // delete a chunk
      const i = at();
      b = new Uint8Array([...b.subarray(0, i), ...b.subarray(i + 1 + Math.floor(rand() * 16))]);
    } else { // ASCII digit swap (JSON numbers, shapes)
      const i = at();
      if (b[i]! >= 0x30 && b[i]! <= 0x39) b[i] = 0x30 + Math.floor(rand() * 10);
      else b[i] = 0x39;
    }
  }
  return b;
}

export interface CaseResult {
  outcome: Outcome;
  ms: number;
  error?: unknown;
}

export function runCase(target: FuzzTarget, bytes: Uint8Array): CaseResult {
  const t0 = performance.now();
  try {
    target.run(bytes);
    return { outcome: 'ok', ms: performance.now() - t0 };
  } catch (e) {
    return { outcome: e instanceof NnrtError ? 'typed' : 'crash', ms: performance.now() - t0, error: e };
  }
}

/** The mutated bytes of case `index` of a run seeded with `seed`: reproducible one by one. */
export function caseBytes(target: FuzzTarget, seed: number, index: number): Uint8Array {
  return mutate(target.seed, mulberry32((seed * 1_000_003 + index) >>> 0));
}
