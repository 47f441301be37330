import { Command, CommanderError, Option } from 'commander';
import { NnrtError } from '../errors.js';
import { DEVICES, ENGINES, type DeviceName, type EngineName } from '../session.js';
import { conformance } from './conformance.js';

const out = (line: string) => process.stdout.write(line + '\n');

function deviceOption() {
  return new Option('--device <device>', 'where the framework runs the graph').choices(DEVICES).default('cpu');
}
function engineOption() {
  return new Option('--engine <engine>', 'hand supported subgraphs to the optimizing engine').choices(ENGINES).default('none');
}

export function buildProgram(): Command {
  const program = new Command('nnrt')
    .description('nnrt — a deep-learning inference runtime: framework, partitioner and optimizing WebGPU engine')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program
    .command('conformance <dir>')
    .description('run every ONNX backend-test folder under DIR; one line per folder and a closing count')
    .addOption(deviceOption())
    .addOption(engineOption())
    .option('--filter <regex>', 'only folders whose name matches')
    .option('--json', 'print one JSON document')
    .action(async (dir: string, o: { device: DeviceName; engine: EngineName; filter?: string; json?: boolean }) => {
      program.setOptionValue('exit', await conformance(dir, o, out));
    });
  return program;
}

/** Runs the CLI; returns the exit code (0 ok, 1 mismatch/failure, 2 bad input or usage). */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return (program.getOptionValue('exit') as number | undefined) ?? 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof NnrtError) {
      process.stderr.write(`nnrt: ${e.name}: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`nnrt: internal error: ${(e as Error).stack ?? String(e)}\nPlease report this with the command that caused it.\n`);
    return 3;
  }
}
