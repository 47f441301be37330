// The structural check of a parsed plan's JSON (plan-format.ts reads the bytes): every field of
// the header, layers, dispatches and io has its type, and every region lies inside its buffer, so
// a malformed plan is a PlanError naming the field before anything is made from it.
import { PlanError } from '../errors.js';
import type { EnginePlan } from './plan-format.js';

/** What to do about a plan that cannot be used. */
export const REBUILD = 'rebuild it with `nnrt build`';

/** Checks the parsed JSON has the plan's structure and every region lies inside its buffer. */
export function checkPlanShape(p: Record<string, unknown>): asserts p is Record<string, unknown> & EnginePlan {
  const fail = (where: string, what: string): never => {
    throw new PlanError(`malformed plan: ${what}`, { where, hint: REBUILD });
  };
  const obj = (v: unknown, where: string) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(where, 'expected an object');
  const arr = (v: unknown, where: string) => (Array.isArray(v) ? (v as unknown[]) : fail(where, 'expected a list'));
  const str = (v: unknown, where: string) => (typeof v === 'string' ? v : fail(where, 'expected a string'));
  const int = (v: unknown, where: string, below = Infinity) =>
    Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) < below ? (v as number) : fail(where, `expected an integer in [0, ${below})`);
  const named = (v: unknown, where: string) => {
    const o = obj(v, where);
    str(o.name, `${where}.name`);
    arr(o.shape, `${where}.shape`).forEach((d, i) => int(d, `${where}.shape[${i}]`));
  };

  const h = obj(p.header, 'header');
  if (h.format !== 'nnrt-plan') fail('header.format', `expected 'nnrt-plan', got ${JSON.stringify(h.format)}`);
  int(h.formatVersion, 'header.formatVersion');
  str(h.nnrtVersion, 'header.nnrtVersion');
  str(h.graphHash, 'header.graphHash');
  if (h.backend !== undefined && h.backend !== 'webgpu' && h.backend !== 'cpu') fail('header.backend', `expected webgpu or cpu, got ${JSON.stringify(h.backend)}`);
  const ad = obj(h.adapter, 'header.adapter');
  for (const k of ['vendor', 'architecture', 'description']) str(ad[k], `header.adapter.${k}`);
  if (h.precision !== 'fp32' && h.precision !== 'fp16' && h.precision !== 'int8') fail('header.precision', 'expected fp32, fp16 or int8');
  if (h.features !== undefined) arr(h.features, 'header.features').forEach((f, i) => str(f, `header.features[${i}]`));
  for (const side of ['inputs', 'outputs'] as const) {
    arr(h[side], `header.${side}`).forEach((v, i) => {
      named(v, `header.${side}[${i}]`);
      const dtype = (v as Record<string, unknown>).dtype;
      if (dtype !== undefined && dtype !== 'int64' && dtype !== 'int32' && dtype !== 'bool') fail(`header.${side}[${i}].dtype`, 'expected int64, int32 or bool (absent: float32)');
    });
  }
  if (h.profile !== undefined) {
    arr(h.profile, 'header.profile').forEach((v, i) => {
      const r = obj(v, `header.profile[${i}]`);
      str(r.name, `header.profile[${i}].name`);
      for (const k of ['min', 'opt', 'max']) arr(r[k], `header.profile[${i}].${k}`).forEach((d, j) => int(d, `header.profile[${i}].${k}[${j}]`));
    });
  }
  if (h.profileTactics !== undefined) {
    const t = obj(h.profileTactics, 'header.profileTactics');
    for (const end of ['min', 'max']) {
      if (t[end] === undefined) continue;
      for (const [layer, tactic] of Object.entries(obj(t[end], `header.profileTactics.${end}`))) str(tactic, `header.profileTactics.${end}[${JSON.stringify(layer)}]`);
    }
  }

  const kernels = arr(p.kernels, 'kernels');
  kernels.forEach((k, i) => str(k, `kernels[${i}]`));
  const layers = arr(p.layers, 'layers');
  layers.forEach((v, i) => {
    const l = obj(v, `layers[${i}]`);
    for (const k of ['name', 'kind', 'tactic']) str(l[k], `layers[${i}].${k}`);
    arr(l.from, `layers[${i}].from`).forEach((s, j) => str(s, `layers[${i}].from[${j}]`));
    if (l.timeMs !== undefined && typeof l.timeMs !== 'number') fail(`layers[${i}].timeMs`, 'expected a number');
  });
  const arenaBytes = int(p.arenaBytes, 'arenaBytes');
  int(p.naiveBytes, 'naiveBytes');
  const constantsBytes = (p.constants as Uint8Array).length;
  const region = (offset: unknown, size: unknown, limit: number, where: string, sizeField = 'size') => {
    const o = int(offset, `${where}.offset`);
    if (o + int(size, `${where}.${sizeField}`) > limit) fail(where, `region ends past its ${limit}-byte buffer`);
  };
  arr(p.dispatches, 'dispatches').forEach((v, i) => {
    const d = obj(v, `dispatches[${i}]`);
    int(d.kernel, `dispatches[${i}].kernel`, kernels.length);
    int(d.layer, `dispatches[${i}].layer`, layers.length);
    const wg = arr(d.workgroups, `dispatches[${i}].workgroups`);
    if (wg.length !== 3) fail(`dispatches[${i}].workgroups`, 'expected 3 counts');
    wg.forEach((n, j) => int(n, `dispatches[${i}].workgroups[${j}]`));
    arr(d.bindings, `dispatches[${i}].bindings`).forEach((b, j) => {
      const where = `dispatches[${i}].bindings[${j}]`;
      const r = obj(b, where);
      if (r.buffer !== 'arena' && r.buffer !== 'constants') fail(`${where}.buffer`, 'expected arena or constants');
      region(r.offset, r.size, r.buffer === 'arena' ? arenaBytes : constantsBytes, where);
    });
  });
  const io = obj(p.io, 'io');
  for (const side of ['inputs', 'outputs'] as const) {
    const declared = h[side] as { name: string; shape: number[] }[];
    const entries = arr(io[side], `io.${side}`);
    // the runtime pairs io entries with header entries by name: both lists must match one to one
    if (entries.length !== declared.length) fail(`io.${side}`, `${entries.length} entries, the header declares ${declared.length} ${side}`);
    entries.forEach((v, i) => {
      const e = obj(v, `io.${side}[${i}]`);
      const name = str(e.name, `io.${side}[${i}].name`);
      region(e.offset, e.bytes, arenaBytes, `io.${side}[${i}]`, 'bytes');
      // paired by index at run time
      const d = declared[i];
      if (d?.name !== name) fail(`io.${side}[${i}].name`, `'${name}' is not header.${side}[${i}] ('${d?.name}')`);
      const elements = d!.shape.reduce((a, n) => a * n, 1);
      if (e.bytes !== elements * 4) fail(`io.${side}[${i}].bytes`, `${e.bytes as number} bytes for a float32 tensor of shape [${d!.shape.join(',')}] (${elements * 4} bytes)`);
    });
  }
}
