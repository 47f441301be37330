// Several optimization profiles in ONE plan file (TensorRT keeps all of an engine's profiles in one
// .engine). Layout, integers little-endian:
//   "NNRTPSET" | u32 format version | u32 JSON length | JSON (UTF-8) | zero padding to 4 |
//   each profile's plan, a complete single plan (its own signature and checksum), back to back |
//   the source graph (ONNX), stored once for every profile | FNV-1a 64 of the header and source
// The JSON lists each profile's ranges and byte length, so a reader learns every profile without
// parsing the plans, and a shape outside all of them is refused before any GPU work.
import { PlanError } from '../errors.js';
import { fnv1a64Words, parsePlan, serializePlan, type EnginePlan, type PlanProfileInput } from './plan-format.js';

export const PLAN_SET_FORMAT_VERSION = 1;
const MAGIC = 'NNRTPSET';
const PREFIX_BYTES = 16;
const CHECKSUM_BYTES = 8;
const REBUILD = 'rebuild it with `nnrt build --profile ... --profile ...`';

export interface PlanSetHeader {
  format: 'nnrt-plan-set';
  formatVersion: number;
  /** Each profile's engine input ranges and the byte length of its plan, in profile order. */
  profiles: { ranges: PlanProfileInput[]; planBytes: number }[];
  sourceBytes: number;
}

const hasMagic = (bytes: Uint8Array, magic: string) => bytes.length >= magic.length && new TextDecoder().decode(bytes.subarray(0, magic.length)) === magic;

/** Whether the bytes are a plan set (else they may be a single plan: parsePlan). */
export function isPlanSet(bytes: Uint8Array): boolean {
  return hasMagic(bytes, MAGIC);
}

/**
 * One file for the plans of several profiles of one model: each must be a profile plan (ranges in
 * its header) carrying the same source graph, which is stored once.
 */
export function serializePlanSet(plans: readonly EnginePlan[]): Uint8Array {
  if (plans.length === 0) throw new PlanError('a plan set needs at least one profile plan');
  const source = plans[0]!.source;
  plans.forEach((p, k) => {
    if (!p.header.profile) throw new PlanError(`plan ${k} of the set was not built for a profile`, { hint: 'build every plan of a set with its ranges' });
    if (!source || !p.source || !sameBytes(p.source, source)) throw new PlanError(`plan ${k} of the set does not carry the same source graph as plan 0`, { hint: 'build every profile from the same model' });
  });
  const bodies = plans.map(({ source: _s, ...rest }) => serializePlan(rest));
  const header: PlanSetHeader = {
    format: 'nnrt-plan-set', formatVersion: PLAN_SET_FORMAT_VERSION,
    profiles: plans.map((p, k) => ({ ranges: p.header.profile!, planBytes: bodies[k]!.length })),
    sourceBytes: source!.length,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const plansAt = PREFIX_BYTES + pad4(json.length);
  const sourceAt = plansAt + bodies.reduce((a, b) => a + b.length, 0);
  const total = sourceAt + source!.length + CHECKSUM_BYTES;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, PLAN_SET_FORMAT_VERSION, true);
  view.setUint32(12, json.length, true);
  out.set(json, PREFIX_BYTES);
  let at = plansAt;
  for (const b of bodies) {
    out.set(b, at);
    at += b.length;
  }
  out.set(source!, sourceAt);
  const [hi, lo] = checksum(out, plansAt, sourceAt, total - CHECKSUM_BYTES);
  view.setUint32(total - 8, hi, false);
  view.setUint32(total - 4, lo, false);
  return out;
}

/** The set's header alone (checked): every profile's ranges, without parsing the plans. */
export function readPlanSetHeader(bytes: Uint8Array): PlanSetHeader {
  return locate(bytes).header;
}

/**
 * Every plan of a file: a plan set's profiles in order (each given the shared source), or a
 * single plan (the older one-profile and fixed-shape files) as a list of one.
 */
export function parsePlans(bytes: Uint8Array): EnginePlan[] {
  if (!isPlanSet(bytes)) return [parsePlan(bytes)];
  const { header, plansAt, source } = locate(bytes);
  let at = plansAt;
  return header.profiles.map((p, k) => {
    let plan: EnginePlan;
    try {
      plan = parsePlan(bytes.subarray(at, at + p.planBytes));
    } catch (e) {
      if (e instanceof PlanError) throw new PlanError(`profile ${k} of the plan set: ${e.message}`, { where: `profile ${k}`, hint: REBUILD });
      throw e;
    }
    at += p.planBytes;
    if (JSON.stringify(plan.header.profile) !== JSON.stringify(p.ranges)) throw new PlanError(`profile ${k} of the plan set: its plan's ranges differ from the set's header`, { where: `profile ${k}`, hint: REBUILD });
    return { ...plan, source };
  });
}

function locate(bytes: Uint8Array): { header: PlanSetHeader; plansAt: number; source: Uint8Array } {
  if (!isPlanSet(bytes)) throw new PlanError('not an nnrt plan set (no NNRTPSET signature)', { where: 'byte 0', hint: 'pass a file written by `nnrt build` with several --profile' });
  if (bytes.length < PREFIX_BYTES + CHECKSUM_BYTES) throw new PlanError(`truncated plan set: ${bytes.length} bytes`, { hint: REBUILD });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== PLAN_SET_FORMAT_VERSION) throw new PlanError(`plan set format version ${version}; this nnrt reads version ${PLAN_SET_FORMAT_VERSION}`, { where: 'byte 8', hint: REBUILD });
  const jsonBytes = view.getUint32(12, true);
  const plansAt = PREFIX_BYTES + pad4(jsonBytes);
  if (plansAt + CHECKSUM_BYTES > bytes.length) throw new PlanError(`truncated plan set: ${bytes.length} bytes, its header alone needs ${plansAt + CHECKSUM_BYTES}`, { hint: REBUILD });
  const header = readHeader(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + jsonBytes));
  const sourceAt = plansAt + header.profiles.reduce((a, p) => a + p.planBytes, 0);
  const expected = sourceAt + header.sourceBytes + CHECKSUM_BYTES;
  if (expected !== bytes.length) throw new PlanError(`${bytes.length < expected ? 'truncated' : 'malformed'} plan set: its header announces ${expected} bytes, the file has ${bytes.length}`, { hint: REBUILD });
  const [hi, lo] = checksum(bytes, plansAt, sourceAt, bytes.length - CHECKSUM_BYTES);
  if (hi !== view.getUint32(bytes.length - 8, false) || lo !== view.getUint32(bytes.length - 4, false)) {
    throw new PlanError('corrupt plan set: the checksum of its header and source graph does not match', { hint: `the file was damaged; ${REBUILD}` });
  }
  return { header, plansAt, source: bytes.slice(sourceAt, sourceAt + header.sourceBytes) };
}

/** FNV-1a 64 of the prefix and JSON, then the source (each plan has its own checksum). */
function checksum(bytes: Uint8Array, plansAt: number, sourceAt: number, end: number): [number, number] {
  const head = bytes.subarray(0, plansAt);
  const joined = new Uint8Array(head.length + end - sourceAt);
  joined.set(head, 0);
  joined.set(bytes.subarray(sourceAt, end), head.length);
  return fnv1a64Words(joined);
}

function readHeader(json: Uint8Array): PlanSetHeader {
  const fail = (what: string): never => {
    throw new PlanError(`malformed plan set: ${what}`, { where: 'header', hint: REBUILD });
  };
  let h: unknown;
  try {
    h = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    fail('the header is not JSON');
  }
  const o = h as Partial<PlanSetHeader> | null;
  if (!o || o.format !== 'nnrt-plan-set') fail("expected format 'nnrt-plan-set'");
  const count = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  if (!count(o!.sourceBytes)) fail('bad source size');
  if (!Array.isArray(o!.profiles) || o!.profiles.length === 0) fail('no profiles');
  o!.profiles!.forEach((p, k) => {
    if (!p || !count(p.planBytes) || !Array.isArray(p.ranges)) fail(`profile ${k}: expected ranges and a plan size`);
    for (const r of p.ranges) {
      if (typeof r?.name !== 'string' || !(['min', 'opt', 'max'] as const).every((x) => Array.isArray(r[x]) && r[x].every(count))) fail(`profile ${k}: a range without name, min, opt and max`);
    }
  });
  return o as PlanSetHeader;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function pad4(n: number): number {
  return Math.ceil(n / 4) * 4;
}
