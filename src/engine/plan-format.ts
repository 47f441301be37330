// The serialized engine plan (TensorRT's .engine file). Layout, all integers little-endian:
//   "NNRTPLAN" | u32 format version | u32 JSON length | JSON (UTF-8) | zero padding to 4 |
//   constants (their length is in the JSON) | FNV-1a 64 of everything before, 8 bytes big-endian
// The JSON holds everything but the constants. The checksum is checked before anything is used,
// so a corrupt or truncated file is refused instead of running wrong kernels or weights.
import { PlanError } from '../errors.js';
import { checkPlanShape, REBUILD } from './plan-shape.js';

export const PLAN_FORMAT_VERSION = 1;
const MAGIC = 'NNRTPLAN';
const PREFIX_BYTES = 16; // magic + version + JSON length
const CHECKSUM_BYTES = 8;

/** Which adapter a plan (or a timing cache) was tuned on. */
export interface AdapterIdentity {
  vendor: string;
  architecture: string;
  description: string;
}

export interface PlanHeader {
  format: 'nnrt-plan';
  formatVersion: number;
  nnrtVersion: string;
  /**
   * The engine backend the plan is for: 'cpu' plans (src/engine/cpu/) carry no kernels, only layers
   * with their executor choices, the arena size and the engine's graph as ONNX (`source`). Absent: webgpu.
   */
  backend?: 'webgpu' | 'cpu';
  adapter: AdapterIdentity;
  precision: 'fp32' | 'fp16' | 'int8';
  /**
   * Optional WebGPU features the plan's kernels use ('shader-f16' for native f16 storage and
   * arithmetic): a device without one of them cannot load the plan. Absent: none.
   */
  features?: string[];
  graphHash: string;
  /** `dtype`: the IR dtype of an int64, int32 or bool input or output (i32 in the arena); absent: float32. */
  inputs: { name: string; shape: number[]; dtype?: 'int64' | 'int32' | 'bool' }[];
  outputs: { name: string; shape: number[]; dtype?: 'int64' | 'int32' | 'bool' }[];
  /**
   * A plan built for an optimization profile: each engine input's range. The plan's kernels are at
   * `inputs` (the profile's opt); other shapes in range are specialized from `layers`' tactics and
   * the plan's `source` graph (see engine/specialize.ts).
   */
  profile?: PlanProfileInput[];
  /**
   * A profile plan's tactics timed at the range's ends as well (layer name → tactic name): a shape
   * is specialized from the tactics of the nearest of min, opt and max. Absent: opt's everywhere.
   */
  profileTactics?: { min?: Record<string, string>; max?: Record<string, string> };
}

/** One engine input's range in a profile plan. */
export interface PlanProfileInput {
  name: string;
  min: number[];
  opt: number[];
  max: number[];
}

/** A byte range of the arena buffer or of the constants buffer. */
export type PlanRegion = { buffer: 'arena' | 'constants'; offset: number; size: number };

export interface PlanDispatch {
  /** Index into `EnginePlan.kernels`. */
  kernel: number;
  /** One region per WGSL binding, in binding order. */
  bindings: PlanRegion[];
  workgroups: [number, number, number];
  /** Index into `EnginePlan.layers` (for profiles and error messages). */
  layer: number;
}

export interface PlanLayer {
  name: string;
  kind: string;
  /** IR node names the layer covers. */
  from: string[];
  tactic: string;
  timeMs?: number;
}

export interface EnginePlan {
  header: PlanHeader;
  /** WGSL sources, one pipeline each. */
  kernels: string[];
  dispatches: PlanDispatch[];
  layers: PlanLayer[];
  arenaBytes: number;
  naiveBytes: number;
  /** Where the engine's inputs and outputs live in the arena. */
  io: {
    inputs: { name: string; offset: number; bytes: number }[];
    outputs: { name: string; offset: number; bytes: number }[];
  };
  /** Weights and other constants, already in the layout and storage the kernels read. */
  constants: Uint8Array;
  /** Profile plans: the engine's graph as ONNX bytes, to specialize the plan at other shapes in range. */
  source?: Uint8Array;
}

export function serializePlan(plan: EnginePlan): Uint8Array {
  const { constants, source, ...rest } = plan;
  const json = new TextEncoder().encode(JSON.stringify({ ...rest, constantsBytes: constants.length, ...(source ? { sourceBytes: source.length } : {}) }));
  const constantsAt = PREFIX_BYTES + pad4(json.length);
  const total = constantsAt + constants.length + (source?.length ?? 0) + CHECKSUM_BYTES;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, PLAN_FORMAT_VERSION, true);
  view.setUint32(12, json.length, true);
  out.set(json, PREFIX_BYTES);
  out.set(constants, constantsAt);
  if (source) out.set(source, constantsAt + constants.length);
  const [hi, lo] = fnv1a64Words(out.subarray(0, total - CHECKSUM_BYTES));
  view.setUint32(total - 8, hi, false);
  view.setUint32(total - 4, lo, false);
  return out;
}

/**
 * Reads a plan file, refusing (PlanError) anything that is not a complete, intact plan of this
 * format version. The returned constants may share memory with `bytes`.
 */
export function parsePlan(bytes: Uint8Array): EnginePlan {
  if (bytes.length >= MAGIC.length && new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) === 'NNRTPSET') {
    throw new PlanError('a plan set (several profiles in one file), not a single plan', { where: 'byte 0', hint: 'read it with parsePlans (engine/plan-set.ts) or createPlanSession' });
  }
  if (bytes.length < MAGIC.length || new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) {
    throw new PlanError('not an nnrt plan file (no NNRTPLAN signature)', { where: 'byte 0', hint: 'pass a file written by `nnrt build`' });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < PREFIX_BYTES + CHECKSUM_BYTES) throw truncated(bytes.length, PREFIX_BYTES + CHECKSUM_BYTES);
  const version = view.getUint32(8, true);
  if (version !== PLAN_FORMAT_VERSION) {
    throw new PlanError(`plan format version ${version}; this nnrt reads version ${PLAN_FORMAT_VERSION}`, { where: 'byte 8', hint: REBUILD });
  }
  const jsonBytes = view.getUint32(12, true);
  const constantsAt = PREFIX_BYTES + pad4(jsonBytes);
  if (bytes.length < constantsAt + CHECKSUM_BYTES) throw truncated(bytes.length, constantsAt + CHECKSUM_BYTES);

  const body = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
  const [hi, lo] = fnv1a64Words(body);
  const storedHi = view.getUint32(bytes.length - 8, false);
  const storedLo = view.getUint32(bytes.length - 4, false);
  const json = readJson(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + jsonBytes));
  const constantsBytes = json?.constantsBytes;
  const sourceBytes = json?.sourceBytes ?? 0;
  if (!Number.isSafeInteger(sourceBytes) || (sourceBytes as number) < 0) throw new PlanError('malformed plan: bad source size in the header', { where: 'sourceBytes', hint: REBUILD });
  const expected = typeof constantsBytes === 'number' ? constantsAt + constantsBytes + (sourceBytes as number) + CHECKSUM_BYTES : undefined;
  if (hi !== storedHi || lo !== storedLo) {
    // a shorter file than its header announces is truncated; anything else is damaged
    if (expected !== undefined && bytes.length < expected) throw truncated(bytes.length, expected);
    throw new PlanError(`corrupt plan: checksum ${hex(storedHi, storedLo)} stored, ${hex(hi, lo)} computed`, {
      where: `${bytes.length}-byte file`,
      hint: `the file was damaged; ${REBUILD}`,
    });
  }
  if (json === undefined) throw new PlanError('malformed plan: the header is not JSON', { where: `byte ${PREFIX_BYTES}`, hint: REBUILD });
  if (expected === undefined || !Number.isInteger(constantsBytes) || (constantsBytes as number) < 0) {
    throw new PlanError('malformed plan: no constants size in the header', { where: 'constantsBytes', hint: REBUILD });
  }
  if (expected !== bytes.length) {
    throw new PlanError(`malformed plan: header announces ${expected} bytes, file has ${bytes.length}`, { where: 'constantsBytes', hint: REBUILD });
  }
  const { constantsBytes: _n, sourceBytes: _s, ...rest } = json;
  const constants = bytes.subarray(constantsAt, constantsAt + (constantsBytes as number));
  const sourceAt = constantsAt + (constantsBytes as number);
  const source = sourceBytes ? { source: bytes.slice(sourceAt, sourceAt + (sourceBytes as number)) } : {};
  const plan = { ...rest, ...source, constants: (bytes.byteOffset + constantsAt) % 4 === 0 ? constants : constants.slice() };
  checkPlanShape(plan);
  return plan as EnginePlan;
}

/** What a caller needs from a plan; anything left out is not checked. */
export interface PlanExpectation {
  nnrtVersion: string;
  adapter?: AdapterIdentity;
  precision?: 'fp32' | 'fp16' | 'int8';
  /** The optional features of the device that will run the plan. */
  features?: ReadonlySet<string>;
  /** Input shapes the caller will feed, by name. */
  inputs?: { name: string; shape: number[] }[];
}

/** The backend a plan is for ('webgpu' when the header names none). */
export function planBackend(header: PlanHeader): 'webgpu' | 'cpu' {
  return header.backend ?? 'webgpu';
}

/** PlanError unless the plan is for `backend`: says what the plan is and which loader takes it. */
export function checkPlanBackend(header: PlanHeader, backend: 'webgpu' | 'cpu'): void {
  const is = planBackend(header);
  if (is === backend) return;
  throw new PlanError(`this is a ${is} engine plan; the ${backend} engine cannot load it`, {
    where: 'header.backend',
    hint: is === 'cpu'
      ? 'run it on the CPU (nnrt run|verify PLAN --engine cpu, or CpuEngine.load), or rebuild it for webgpu with `nnrt build --engine webgpu`'
      : 'run it on webgpu (nnrt run|verify PLAN --engine webgpu, or Engine.load), or rebuild it for the CPU with `nnrt build --engine cpu`',
  });
}

/** The --gpu-features list that makes Dawn offer these device features. */
function dawnFeatureFlags(features: readonly string[]): string {
  const flags = new Set(features.map((f) => (f === 'shader-f16' ? 'f16' : 'subgroup-matrix')));
  return [...flags].join(',');
}

/** Throws a PlanError saying what differs when the plan cannot serve `expect`. */
export function checkPlanCompatible(header: PlanHeader, expect: PlanExpectation): void {
  if (header.nnrtVersion !== expect.nnrtVersion) {
    throw new PlanError(`plan made by nnrt ${header.nnrtVersion} (this is nnrt ${expect.nnrtVersion})`, { hint: REBUILD });
  }
  const a = header.adapter;
  const b = expect.adapter;
  if (b && (a.vendor !== b.vendor || a.architecture !== b.architecture || a.description !== b.description)) {
    throw new PlanError(`plan built for adapter ${describeAdapter(a)} (this is ${describeAdapter(b)})`, {
      hint: `plans are tuned for one GPU; ${REBUILD} on this machine`,
    });
  }
  const missing = expect.features ? (header.features ?? []).filter((f) => !expect.features!.has(f)) : [];
  if (missing.length) {
    throw new PlanError(`plan needs device feature${missing.length > 1 ? 's' : ''} ${missing.map((f) => `'${f}'`).join(', ')}, which this device lacks`, {
      where: 'header.features',
      hint: `create the device with ${missing.join(', ')} (Dawn: --gpu-features ${dawnFeatureFlags(missing)} or NNRT_GPU_FEATURES=${dawnFeatureFlags(missing)}), or ${REBUILD} on this device`,
    });
  }
  if (expect.precision && header.precision !== expect.precision) {
    throw new PlanError(`plan built for ${header.precision} (asked ${expect.precision})`, { hint: `${REBUILD} --precision ${expect.precision}` });
  }
  for (const want of expect.inputs ?? []) {
    const have = header.inputs.find((i) => i.name === want.name);
    if (!have) {
      const names = header.inputs.map((i) => i.name).join(', ');
      throw new PlanError(`plan has no input '${want.name}' (its inputs: ${names})`, { where: want.name, hint: REBUILD });
    }
    if (have.shape.length !== want.shape.length || have.shape.some((d, i) => d !== want.shape[i])) {
      throw new PlanError(`plan built for input shape [${have.shape.join(', ')}] (asked [${want.shape.join(', ')}])`, {
        where: want.name,
        hint: `shapes are fixed at build time; ${REBUILD} for the new shape`,
      });
    }
  }
}

export function describeAdapter(a: AdapterIdentity): string {
  const parts = [a.vendor, a.architecture].filter((s) => s).join(' ');
  return `'${[parts, a.description && `(${a.description})`].filter((s) => s).join(' ') || 'unknown'}'`;
}

/**
 * FNV-1a 64 as [high, low] 32-bit words, on four 16-bit limbs so every product stays exact in
 * a double; much faster than a generic 64-bit multiply, which matters for 100 MB of weights.
 * Equal to fnv1a64 in src/ir/hash.ts (a test checks).
 */
export function fnv1a64Words(bytes: Uint8Array): [number, number] {
  // offset basis 0xcbf29ce484222325, limbs low to high
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (let i = 0; i < bytes.length; i++) {
    h0 ^= bytes[i]!;
    // h * 0x100000001b3 = h * 0x1b3 + (h << 40), modulo 2^64
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + (t1 >>> 16) + ((h0 << 8) & 0xffff);
    const t3 = h3 * 0x1b3 + (t2 >>> 16) + (h0 >>> 8) + ((h1 << 8) & 0xffff);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  }
  return [((h3 << 16) | h2) >>> 0, ((h1 << 16) | h0) >>> 0];
}

/** The device limits a plan must fit before any buffer is made or dispatch recorded. */
export function checkPlanFitsDevice(plan: EnginePlan, limits: Pick<GPUSupportedLimits, 'maxBufferSize' | 'maxComputeWorkgroupsPerDimension' | 'maxStorageBufferBindingSize'>): void {
  const fail = (where: string, what: string): never => {
    throw new PlanError(`the plan does not fit this device: ${what}`, { where, hint: REBUILD });
  };
  if (plan.arenaBytes > limits.maxBufferSize) fail('arenaBytes', `an arena of ${plan.arenaBytes} bytes is over maxBufferSize ${limits.maxBufferSize}`);
  if (plan.constants.byteLength > limits.maxBufferSize) fail('constants', `${plan.constants.byteLength} bytes of constants are over maxBufferSize ${limits.maxBufferSize}`);
  plan.dispatches.forEach((d, i) => {
    d.workgroups.forEach((n, j) => n > limits.maxComputeWorkgroupsPerDimension
      && fail(`dispatches[${i}].workgroups[${j}]`, `${n} workgroups, over maxComputeWorkgroupsPerDimension ${limits.maxComputeWorkgroupsPerDimension}`));
    d.bindings.forEach((b, j) => b.size > limits.maxStorageBufferBindingSize
      && fail(`dispatches[${i}].bindings[${j}]`, `a ${b.size}-byte binding, over maxStorageBufferBindingSize ${limits.maxStorageBufferBindingSize}`));
  });
}

function hex(hi: number, lo: number): string {
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

function readJson(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function truncated(have: number, need: number): PlanError {
  return new PlanError(`truncated plan: ${have} bytes, expected ${need}`, { hint: `the file is incomplete; ${REBUILD}` });
}

function pad4(n: number): number {
  return Math.ceil(n / 4) * 4;
}
