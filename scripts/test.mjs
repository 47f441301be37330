#!/usr/bin/env node
// Runs every test/**/*.test.ts, each file in its own Node process (TypeScript through tsx), a few
// at a time, and prints one line per file as it finishes (time, counts), so a CI log is never
// silent for long: a file still running after a minute is named every minute. A failing file's
// whole output is printed. Dawn's informational limit warnings are dropped from the output.
// Every file runs with src/node/relaxed-simd.ts loaded first, as a Node user's process has it (the
// CPU kernels' relaxed-SIMD build where WebAssembly has it); the CPU kernel files (test/cpu/) run
// a second time on the plain SIMD build (NNRT_CPU_RELAXED_SIMD=0), which browsers without relaxed
// SIMD run.
//
//   node scripts/test.mjs                      every test file
//   node scripts/test.mjs test/ir test/x.test.ts   files under these paths
//   node scripts/test.mjs --jobs 1 --verbose   one at a time; print every file's output
// Other flags (e.g. --test-name-pattern=gemm) are passed to node --test.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const DAWN_NOISE = /^Warning: maxDynamic\w+BuffersPerPipelineLayout artificially reduced/;
// Files that take minutes on lavapipe start first so that they overlap the many short ones.
const SLOW_FIRST = [/int8-mma-check/, /conformance/, /kernels-/, /^test\/webgpu\//, /engine-e2e|engine-cli|models/];

function find(path) {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? find(join(path, e.name)) : e.name.endsWith('.test.ts') ? [join(path, e.name)] : [],
  );
}

function parseArgs(argv) {
  const opts = { jobs: Math.max(2, Math.min(4, availableParallelism())), verbose: false, paths: [], pass: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--jobs' || a === '-j') opts.jobs = Math.max(1, Number(argv[++i]) || 1);
    else if (a.startsWith('--jobs=')) opts.jobs = Math.max(1, Number(a.slice(7)) || 1);
    else if (a === '--verbose') opts.verbose = true;
    else if (a.startsWith('-')) opts.pass.push(a);
    else opts.paths.push(a);
  }
  return opts;
}

const rank = (f) => { const i = SLOW_FIRST.findIndex((p) => p.test(f)); return i < 0 ? SLOW_FIRST.length : i; };
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`.padStart(8);

/** Runs one file; resolves with its exit code, counts and output (Dawn's noise removed). */
function runFile({ file, env }, pass) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', './src/node/relaxed-simd.ts', '--test', '--test-reporter=spec', ...pass, file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // lavapipe's worker threads wait for each other at every dispatch: with files already running
      // side by side on few cores, one thread per process was ~6× faster (softmax kernels: 1 min vs 6)
      env: { LP_NUM_THREADS: '1', ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...env },
    });
    const chunks = [];
    child.stdout.on('data', (d) => chunks.push(d));
    child.stderr.on('data', (d) => chunks.push(d));
    child.on('close', (code, signal) => {
      const output = Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => !DAWN_NOISE.test(l)).join('\n');
      const count = (name) => Number(new RegExp(`^ℹ ${name} (\\d+)`, 'm').exec(output)?.[1] ?? 0);
      resolve({ code: code ?? (signal ? 1 : 0), signal, output, pass: count('pass'), fail: count('fail'), skipped: count('skipped') });
    });
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const roots = opts.paths.length ? opts.paths : ['test'];
  const paths = [...new Set(roots.flatMap(find))].sort().sort((a, b) => rank(a) - rank(b));
  const plain = { NNRT_CPU_RELAXED_SIMD: '0' };
  const files = [
    ...paths.map((file) => ({ file, env: {}, label: file })),
    ...paths.filter((f) => f.startsWith('test/cpu/')).map((file) => ({ file, env: plain, label: `${file} [plain simd]` })),
  ];
  const started = Date.now();
  const running = new Map();
  const failed = [];
  const totals = { pass: 0, fail: 0, skipped: 0 };
  let next = 0;
  let done = 0;
  console.log(`nnrt tests: ${files.length} files, ${opts.jobs} at a time`);
  const heartbeat = setInterval(() => {
    const now = Date.now();
    const long = [...running].filter(([, t]) => now - t > 60_000).map(([f, t]) => `${f} (${Math.round((now - t) / 1000)} s)`);
    if (long.length) console.log(`  … still running: ${long.join(', ')}`);
  }, 60_000);
  async function worker() {
    while (next < files.length) {
      const entry = files[next++];
      const file = entry.label;
      const t0 = Date.now();
      running.set(file, t0);
      const r = await runFile(entry, opts.pass);
      running.delete(file);
      done++;
      totals.pass += r.pass; totals.fail += r.fail; totals.skipped += r.skipped;
      const ok = r.code === 0;
      if (!ok) failed.push(file);
      const counts = `${r.pass} passed${r.fail ? `, ${r.fail} failed` : ''}${r.skipped ? `, ${r.skipped} skipped` : ''}`;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${String(done).padStart(3)}/${files.length} ${seconds(Date.now() - t0)}  ${file}  (${counts}${r.signal ? `, killed by ${r.signal}` : ''})`);
      if (!ok || opts.verbose) console.log(r.output.replace(/^/gm, '    | '));
    }
  }
  await Promise.all(Array.from({ length: Math.min(opts.jobs, files.length) }, worker));
  clearInterval(heartbeat);
  const total = `${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped`;
  console.log(`\n${files.length} files in ${((Date.now() - started) / 60000).toFixed(1)} min: ${total}`);
  if (failed.length) console.log(`failed files:\n${failed.map((f) => `  ${f}`).join('\n')}`);
  process.exit(failed.length ? 1 : 0);
}

await main();
