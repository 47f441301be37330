import { readdirSync, existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UsageError } from '../errors.js';
import { runConformanceCase, type ConformanceResult } from '../node/backend-test.js';
import { exclusionFor } from '../node/conformance-exclusions.js';
import type { SessionOptions } from '../runtime/session.js';
import { engineSessionOptions, type EngineFlags } from './engine-flags.js';

export interface ConformanceOptions extends Omit<SessionOptions, 'precision' | 'calibration' | 'layerPrecision' | 'timingCache' | 'excludeOps' | 'excludeNodes' | 'minSubgraphSize'>, EngineFlags {
  filter?: string;
  json?: boolean;
  quiet?: boolean;
}

export async function conformance(dir: string, opts: ConformanceOptions, out: (line: string) => void, err: (line: string) => void = () => {}): Promise<number> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`'${dir}' is not a directory of ONNX backend tests`);
  let filter: RegExp | undefined;
  try {
    filter = opts.filter ? new RegExp(opts.filter) : undefined;
  } catch (e) {
    throw new UsageError(`--filter is not a valid regular expression: ${(e as Error).message}`);
  }
  const folders = readdirSync(dir)
    .filter((f) => existsSync(join(dir, f, 'model.onnx')))
    .filter((f) => !filter || filter.test(f))
    .sort();
  if (folders.length === 0) throw new UsageError(`no test folders (with model.onnx) under '${dir}'${filter ? ` matching /${opts.filter}/` : ''}`);
  const device = opts.device ?? (opts.engine === 'webgpu' ? 'webgpu' : 'cpu');
  const results: ConformanceResult[] = [];
  // one setup for the whole run: the timing cache and plan store are shared by every case
  const setup = opts.engine && opts.engine !== 'none' ? await engineSessionOptions({ ...opts, quiet: true }, err, opts.engine) : undefined;
  const { precision: _p, timingCache: _t, calibration: _c, layerPrecision: _l, ...rest } = opts;
  const caseOpts = { ...rest, ...setup?.options, notice: undefined };
  let engineCases = 0;
  for (const f of folders) {
    const r = await runConformanceCase(join(dir, f), caseOpts, exclusionFor(f, device));
    if (r.engineSubgraphs) engineCases++;
    r.folder = basename(r.folder);
    results.push(r);
    if (!opts.json) out(`${r.status.padEnd(4)} ${r.folder}${r.reason ? `  ${r.reason.split('\n')[0]}` : ''}`);
  }
  setup?.finish();
  const count = (s: string) => results.filter((r) => r.status === s).length;
  const [p, fl, sk] = [count('pass'), count('fail'), count('skip')];
  if (opts.json) out(JSON.stringify({ device, engine: opts.engine ?? 'none', passed: p, failed: fl, skipped: sk, results }, null, 2));
  else out(`${p} passed, ${fl} failed, ${sk} skipped${setup ? `; ${engineCases} ran (partly) in the engine` : ''}`);
  return fl === 0 ? 0 : 1;
}
