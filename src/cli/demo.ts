// `nnrt demo`, the README's main command: the MXNet TensorRT tutorial's comparison on the zoo's
// ResNet-18 v2 (src/demo/demo.ts does the work). Here: the options, a progress bar on a terminal,
// and the report on stdout.
import { terminalBar } from './progress-bar.js';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { demoSucceeded, runDemo, type DemoProgress } from '../demo/demo.js';
import { demoHeader, demoTable } from '../demo/report.js';
import '../node/webgpu.js';
import { DEVICES, type DeviceName } from '../runtime/session.js';

export interface DemoCliOptions {
  device?: DeviceName | 'auto';
  runs?: number;
  quiet?: boolean;
}

/** What the user sees while a row builds and runs: a bar on a terminal, a line per row in a log. */
function progressDisplay(quiet: boolean, err: (line: string) => void) {
  if (quiet) return { update: (_p: DemoProgress) => {}, stop: () => {} };
  if (!process.stderr.isTTY) {
    let row = '';
    return {
      update(p: DemoProgress) {
        if (p.row !== row) err(`… ${(row = p.row)}`);
      },
      stop() {},
    };
  }
  const bar = terminalBar('{row} |{bar}| {phase} {value}/{total} {detail}');
  return {
    update: (p: DemoProgress) => bar.update(p.total, p.done, { row: p.row.padEnd(18), phase: p.phase, detail: p.detail ?? '' }),
    stop: () => bar.stop(),
  };
}

/** Runs the demo and prints it; returns the exit code (0: every row agrees, 1: one does not). */
export async function demo(opts: DemoCliOptions, out: (line: string) => void, err: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<number> {
  const quiet = opts.quiet ?? false;
  const display = progressDisplay(quiet, err);
  // Notes go to stdout with the report, after the bar has cleared its line.
  const note = (line: string) => {
    if (quiet) return;
    display.stop();
    out(`note: ${line}`);
  };
  try {
    const report = await runDemo({
      device: opts.device ?? 'auto',
      runs: opts.runs,
      started: (info) => {
        for (const line of demoHeader(info)) out(line);
        out('');
      },
      progress: (p) => display.update(p),
      notice: note,
    });
    display.stop();
    if (!quiet) out('');
    for (const line of demoTable(report)) out(line);
    return demoSucceeded(report) ? 0 : 1;
  } finally {
    display.stop();
  }
}

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

export function addDemoCommand(program: Command, setExit: (code: number) => void, out: (line: string) => void): void {
  program
    .command('demo')
    .description('the engine demo: zoo ResNet-18 v2 (seeded, no download) on the framework, engine fp32 and engine fp16 (the CPU engine without WebGPU); latency, speedup, agreement')
    .addOption(new Option('--device <device>', 'auto: WebGPU when an adapter is present, else the CPU (the framework and the engine\'s CPU backend)').choices(['auto', ...DEVICES]).default('auto'))
    .option('--runs <n>', 'timed runs per row (default: sized so the demo takes about a minute)', positiveInt)
    .option('-q, --quiet', 'no progress bar and no notes')
    .addHelpText('after', [
      '',
      'On a software adapter (Mesa lavapipe) or the CPU the input is 1×3×64×64 instead of 1×3×224×224',
      'and tactic timing is off, so the demo still ends in about a minute. Exit code 1 when a row',
      'disagrees with the framework (fp32: atol 1e-3, rtol 1e-3; fp16: 3e-2, 3e-2) or fails.',
      '',
      'Examples:',
      '  $ nnrt demo',
      '  $ nnrt demo --device cpu --runs 10',
      '  $ nnrt demo --runs 3 --quiet',
    ].join('\n'))
    .action(async (o: DemoCliOptions) => {
      setExit(await demo(o, out));
    });
}
