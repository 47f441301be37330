import { existsSync, readFileSync, statSync } from 'node:fs';
import { sharedGpuDevice } from '../devices/webgpu/device.js';
import { defaultGpu } from '../devices/webgpu/provider.js';
import { createPlanSession, type PlanSessionStats } from '../runtime/plan-session.js';
import { createCpuPlanSession } from '../runtime/cpu-plan-session.js';
import { planBackend } from '../engine/plan-format.js';
import { parsePlans } from '../engine/plan-set.js';
import { engineReport } from './engine-report.js';
import { engineSessionOptions, type EngineFlags } from './engine-flags.js';
import { dirname } from 'node:path';
import { UsageError } from '../errors.js';
import { listDataSets, verifyModel, verifySession } from '../node/backend-test.js';
import type { SessionOptions } from '../runtime/session.js';
import { loadModelFromFile, type ModelFileOptions } from '../node/load-model.js';
import { FP32_TOLERANCE } from '../tensor/compare.js';
import { calibrationFor } from '../runtime/calibrate.js';
import { readFileChecked } from '../node/files.js';

export interface VerifyOptions extends Omit<SessionOptions, 'precision' | 'calibration' | 'layerPrecision' | 'timingCache' | 'excludeOps' | 'excludeNodes' | 'minSubgraphSize'>, ModelFileOptions, EngineFlags {
  atol?: number;
  rtol?: number;
  json?: boolean;
  /** A plan set: run on this profile instead of the first holding the shapes. */
  planProfile?: number;
}

/** `nnrt verify MODEL [TESTDIR ...]`: exit 0 when all outputs pass, 1 on any mismatch. */
export async function verify(model: string, dirs: string[], opts: VerifyOptions, out: (s: string) => void, err: (s: string) => void = () => {}): Promise<number> {
  if (!existsSync(model)) throw new UsageError(`model '${model}' does not exist`);
  const testDirs = dirs.length ? dirs : listDataSets(statSync(model).isDirectory() ? model : dirname(model));
  if (testDirs.length === 0) {
    throw new UsageError(`no test data: no test_data_set_* folder beside '${model}'`, { hint: 'pass TESTDIR folders holding input_*.pb and output_*.pb' });
  }
  const tolerance = { atol: opts.atol ?? FP32_TOLERANCE.atol, rtol: opts.rtol ?? FP32_TOLERANCE.rtol };
  for (const [k, v] of Object.entries(tolerance)) {
    if (!Number.isFinite(v) || v < 0) throw new UsageError(`--${k} must be a non-negative number, got ${v}`);
  }
  const t0 = performance.now();
  const isPlan = model.endsWith('.plan');
  if (opts.calibration && isPlan) throw new UsageError('--calibration goes with a model; a plan was calibrated when it was built');
  if (opts.calibration && opts.precision !== 'int8') throw new UsageError('--calibration goes with --precision int8');
  if (opts.precision === 'int8' && !isPlan && opts.engine !== 'webgpu') {
    throw new UsageError('--precision int8 runs in the webgpu engine', { hint: 'add --device webgpu --engine webgpu --calibration FILE (from nnrt calibrate)' });
  }
  const setup = opts.engine && opts.engine !== 'none' && !isPlan ? await engineSessionOptions(opts, err, opts.engine) : undefined;
  if (opts.planProfile !== undefined && !isPlan) throw new UsageError('--plan-profile goes with a .plan file', { hint: 'for a model, give its profiles with --profile' });
  let verified;
  let planKind = 'webgpu';
  let planStats: PlanSessionStats | undefined;
  try {
    if (isPlan) {
      const bytes = new Uint8Array(readFileSync(model));
      // the plan's header says which engine it is for; --engine, when given, must agree (the loader says so)
      planKind = opts.engine && opts.engine !== 'none' ? opts.engine : planBackend(parsePlans(bytes)[0]!.header);
      if (planKind === 'cpu') {
        verified = await verifySession(await createCpuPlanSession(bytes), testDirs, tolerance);
      } else {
        const gpu = await sharedGpuDevice(await defaultGpu());
        const session = await createPlanSession(gpu, bytes, { precision: opts.precision, ...(opts.planProfile !== undefined ? { profile: opts.planProfile } : {}) });
        verified = await verifySession(session, testDirs, tolerance);
        planStats = session.planStats();
      }
    } else {
      const { graph } = loadModelFromFile(model, opts);
      const { precision: _p, timingCache: _t, calibration: file, layerPrecision: _l, ...rest } = opts;
      // an int8 cache is checked against this model before any build (another model's, a missing tensor)
      const calibration = file ? calibrationFor(graph, new TextDecoder().decode(readFileChecked(file, 'calibration cache')), file, opts.inputShapes && Object.fromEntries(Object.entries(opts.inputShapes).map(([k, v]) => [k, [...v]]))) : undefined;
      verified = await verifyModel(graph, testDirs, { ...rest, ...setup?.options, ...(calibration ? { calibration } : {}), tolerance });
    }
  } finally {
    setup?.finish();
  }
  const { results, stats } = verified;
  const ms = performance.now() - t0;
  const pass = results.every((r) => r.pass);
  // a plan runs on the engine it was built for, whatever --device says
  const device = isPlan ? planKind : opts.device ?? (opts.engine === 'webgpu' ? 'webgpu' : 'cpu');
  const engine = isPlan ? `${planKind} (plan)` : opts.engine ?? 'none';
  if (opts.json) {
    out(JSON.stringify({ model, device, engine, tolerance, pass, transfers: stats.transfers, engineStats: stats.engine, ...(planStats?.profiles.length ? { planProfiles: planStats } : {}), results }, null, 2));
    return pass ? 0 : 1;
  }
  out(`model ${model}  device ${device}${engine !== 'none' ? `  engine ${engine}` : ''}  tolerance |got-want| <= ${tolerance.atol} + ${tolerance.rtol}*|want|`);
  for (const r of results) {
    out(r.dir);
    for (const o of r.outputs) {
      const err = o.reason ? o.reason : `max abs ${o.maxAbsError.toExponential(2)}  max rel ${o.maxRelError.toExponential(2)}${o.cosine !== undefined ? `  cosine ${o.cosine.toFixed(6)}` : ''}`;
      const bad = o.pass ? '' : `  ${o.mismatches} mismatches` + (o.nonFiniteMismatches ? ` (${o.nonFiniteMismatches} with NaN or Inf on one side only)` : '') + (o.firstMismatch ? ` (first at ${o.firstMismatch.index}: got ${o.firstMismatch.got}, want ${o.firstMismatch.want})` : '');
      out(`  ${o.pass ? 'pass' : 'FAIL'}  ${o.name}  [${o.shape.join(',')}]  ${err}${bad}`);
    }
  }
  if (device !== 'cpu' || engine !== 'none') out(`device<->host transfers: ${stats.transfers}`);
  if (stats.webgpu) out(`nodes on the host (CPU kernels, control flow): ${fallbackSummary(stats.webgpu.fallbacks)}`);
  if (stats.engine) for (const line of engineReport(stats.engine)) out(line);
  if (planStats?.profiles.length) {
    out(`plan profiles: ${planStats.profiles.length}; the last data set ran on profile ${planStats.profile ?? '-'}; ${planStats.specializations} specialization${planStats.specializations === 1 ? '' : 's'} (${planStats.specializationMs.toFixed(0)} ms)`);
  }
  const n = results.reduce((a, r) => a + r.outputs.length, 0);
  out(`${results.length} data set${results.length > 1 ? 's' : ''}, ${n} output${n > 1 ? 's' : ''}: ${pass ? 'all pass' : 'MISMATCH'} (${ms.toFixed(0)} ms)`);
  return pass ? 0 : 1;
}

/** '12: GatherND 8, TopK 4' — how many nodes ran on the host in a WebGPU run, by op. */
function fallbackSummary(fallbacks: readonly { op: string }[]): string {
  const count = new Map<string, number>();
  for (const f of fallbacks) count.set(f.op, (count.get(f.op) ?? 0) + 1);
  const ops = [...count].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([op, n]) => `${op} ${n}`);
  return `${fallbacks.length}${ops.length ? `: ${ops.join(', ')}` : ''}`;
}
