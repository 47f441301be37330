import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { NnrtError } from '../errors.js';
import { CPU_KERNEL_CHOICES, type CpuKernelChoice } from '../executor/program.js';
import { DEVICES, ENGINES, type DeviceName, type EngineName } from '../runtime/session.js';
import { addBenchCommand } from './bench.js';
import { addCalibrateCommand } from './calibrate.js';
import { conformance } from './conformance.js';
import { convert } from './convert.js';
import { parseShapeOptions } from '../node/load-model.js';
import { addDemoCommand } from './demo.js';
import { inspect } from './inspect.js';
import { run } from './run.js';
import { verify } from './verify.js';
import { build } from './build.js';
import { engineOptions, maxMemoryOption, type EngineFlags } from './engine-flags.js';
import { VERSION } from '../version.js';
import type { ShapeProfile } from '../engine/profile.js';
import { parseShapeSpecs, profileOptions, profilesFromFlags, shapesOption, type ProfileFlags } from './profile-flags.js';
import '../node/cpu-threads.js'; // the fast CPU kernels use worker_threads, one per core
import '../node/relaxed-simd.js'; // and a fused multiply-add where WebAssembly has one
import { environmentErrors } from '../node/environment-errors.js';

const out = (line: string) => process.stdout.write(line + '\n');
const err = (line: string) => process.stderr.write(line + '\n');

const deviceOption = () => new Option('--device <device>', 'where the framework runs the graph (default cpu; webgpu with --engine webgpu; cpu with --engine cpu)').choices(DEVICES);
const cpuKernelsOption = () =>
  new Option('--cpu-kernels <kind>', 'CPU kernels: fast (WebAssembly SIMD where an op has one) or reference (plain TypeScript)').choices(CPU_KERNEL_CHOICES).default('fast');
const engineOption = () => new Option('--engine <engine>', 'hand supported subgraphs to the optimizing engine').choices(ENGINES).default('none');

function nonNegative(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a non-negative number');
  return n;
}
const collect = (v: string, prev: string[] = []) => [...prev, v];
const commaList = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter((s) => s)];

/** Options of verbs that read a model file: MXNet checkpoints need params, epoch and input shapes. */
function modelFileOptions(cmd: Command): Command {
  return cmd
    .option('--params <file>', 'MXNet: the params file (default NAME-EPOCH.params beside NAME-symbol.json)')
    .option('--epoch <n>', 'MXNet: which epoch of NAME-EPOCH.params (default the highest)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
      return n;
    })
    .option('--shape <name=dims>', 'MXNet: a data input shape, e.g. data=1,3,224,224 (repeatable)', collect);
}

interface ModelFileFlags {
  params?: string;
  epoch?: number;
  shape?: string[];
}
function modelFileFlags<T extends ModelFileFlags>(o: T): T & { inputShapes?: Record<string, number[]> } {
  return o.shape ? { ...o, inputShapes: parseShapeOptions(o.shape) } : o;
}

/** The profile flags as session options (profiles, onNewShape), the flags themselves dropped. */
function withProfiles<T extends ProfileFlags>(o: T): Omit<T, 'min' | 'opt' | 'max' | 'profile'> & { profiles?: ShapeProfile[] } {
  const profiles = profilesFromFlags(o);
  const { min: _a, opt: _b, max: _c, profile: _d, ...rest } = o;
  return { ...rest, ...(profiles ? { profiles } : {}) };
}

function examples(cmd: Command, lines: string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`);
}

interface SessionFlags {
  device: DeviceName;
  engine: EngineName;
  cpuKernels: CpuKernelChoice;
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('nnrt')
    .description('nnrt — a deep-learning inference runtime: framework, partitioner and optimizing WebGPU engine')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });

  addDemoCommand(program, setExit, out);
  addCalibrateCommand(program, setExit, out);

  examples(
    profileOptions(engineOptions(modelFileOptions(program
      .command('verify <model> [testdirs...]')), { int8: true }))
      .description('run MODEL on ONNX backend-test data (input_*.pb / output_*.pb) and compare every output')
      .addOption(deviceOption())
      .addOption(engineOption())
      .addOption(cpuKernelsOption())
      .option('--atol <a>', 'absolute tolerance (default 1e-4)', nonNegative)
      .option('--rtol <r>', 'relative tolerance (default 1e-3)', nonNegative)
      .option('--json', 'print one JSON document')
      .option('--plan-profile <index>', 'a plan with several profiles: run every data set on this profile (0-based) instead of the first that holds its shapes', (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
        return n;
      })
      .action(async (model: string, dirs: string[], o: SessionFlags & ModelFileFlags & EngineFlags & ProfileFlags & { atol?: number; rtol?: number; json?: boolean; planProfile?: number }) => {
        setExit(await verify(model, dirs, withProfiles(modelFileFlags(o)), out, err));
      }),
    ['nnrt verify model.onnx                       # every test_data_set_* beside the model', 'nnrt verify model.onnx data/ --atol 1e-5 --json',
      'nnrt verify model.onnx --device webgpu --engine webgpu --precision fp16 --atol 0.05 --rtol 0.05',
      'nnrt verify model.onnx --engine webgpu --exclude-ops Relu   # force Relu back to the framework',
      'nnrt verify model.onnx --device webgpu --engine webgpu --precision int8 --calibration model.cache --atol 0.1 --rtol 0.1',
      'nnrt verify model.fp32.plan                  # a plan made by nnrt build',
      'nnrt verify model.fp32.plan b7/ --plan-profile 1   # a plan with several profiles: run on profile 1',
      'nnrt verify model.onnx --engine cpu           # supported subgraphs on the cpu engine, the rest in the framework',
      'nnrt verify model.onnx --engine webgpu --min x=1x3x224x224 --opt x=8x3x224x224 --max x=32x3x224x224'],
  );

  examples(
    engineOptions(program
      .command('conformance <dir>'))
      .description('run every ONNX backend-test folder under DIR; one line per folder and a closing count')
      .addOption(deviceOption())
      .addOption(engineOption())
      .addOption(cpuKernelsOption())
      .option('--filter <regex>', 'only folders whose name matches')
      .option('--json', 'print one JSON document')
      .action(async (dir: string, o: SessionFlags & EngineFlags & { filter?: string; json?: boolean }) => {
        setExit(await conformance(dir, o, out, err));
      }),
    ['nnrt conformance onnx/backend/test/data/node', "nnrt conformance node-tests --filter '^test_conv' --json"],
  );

  examples(
    profileOptions(modelFileOptions(program
      .command('run <model>')))
      .description('run MODEL on inputs read from TensorProto files; print or save the outputs')
      .addOption(deviceOption())
      .addOption(engineOption())
      .addOption(cpuKernelsOption())
      .option('-i, --input <name=file.pb>', 'an input (repeat for several; NAME= may be left out for one-input models)', collect)
      .option('-o, --output <dir>', 'write output_K.pb files to DIR')
      .addOption(maxMemoryOption())
      .option('--json', 'print one JSON document')
      .option('--image <file>', 'a JPEG/PNG image for a [N,3,H,W] classifier, preprocessed as ImageNet (repeat for several)', collect)
      .option('--top <k>', 'with --image: classes printed per image (default 5)', (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
        return n;
      })
      .option('--labels <imagenet|file>', 'with --image: class names, ImageNet\'s or one per line (default ImageNet\'s for 1000 classes)')
      .option('--preprocess <imagenet|none>', 'with --image: ImageNet\'s resize, crop, /255 and mean/std (default), or none: resize to H×W, raw 0–255 values')
      .option('--mean <m>', 'with --image: per-channel mean subtracted after scaling, e.g. 127.5 or 0.5,0.5,0.5')
      .option('--std <s>', 'with --image: per-channel divisor after the mean, e.g. 128')
      .option('--scale <f>', 'with --image: pixel values (0–255) are multiplied by this first (imagenet 1/255, none 1)', Number)
      .option('--size <n|h,w>', 'with --image: the crop/resize target (default the input\'s H×W)')
      .option('--random-inputs', 'seeded tensors for every input --input does not give: floats in [-1,1), token ids below the embedding table\'s rows, masks of ones, position ids 0..n-1, other integers 0–9')
      .option('--seed <n>', 'with --random-inputs: the seed (default 1)', Number)
      .addOption(shapesOption())
      .action(async (model: string, o: SessionFlags & ModelFileFlags & ProfileFlags & { shapes?: string[]; input?: string[]; output?: string; json?: boolean; image?: string[]; top?: number; labels?: string; preprocess?: string; mean?: string; std?: string; scale?: number; size?: string; randomInputs?: boolean; seed?: number }) => {
        const { shapes, ...rest } = withProfiles(modelFileFlags(o));
        setExit(await run(model, { ...rest, ...(shapes ? { shapes: parseShapeSpecs('--shapes', shapes) } : {}) }, out));
      }),
    ['nnrt run model.onnx --input data=input_0.pb --output out/', 'nnrt run model.onnx --image cat.jpg --image dog.png --top 3 --labels imagenet',
      'nnrt run genderage.onnx --image face.jpg --preprocess none --size 96', 'nnrt run model.onnx --random-inputs --seed 7',
      'nnrt run model.onnx --engine webgpu --profile x=1x3x8x8:4x3x8x8:8x3x8x8 --shapes x=3x3x8x8'],
  );

  examples(
    profileOptions(engineOptions(modelFileOptions(program
      .command('build <model>')), { partition: false, int8: true }))
      .description('build MODEL into an engine plan (webgpu, or cpu with --engine cpu): fuse, time tactics, plan memory, serialize')
      .addOption(new Option('--engine <engine>', 'the engine backend the plan is for').choices(['webgpu', 'cpu']).default('webgpu'))
      .option('--out <file>', 'plan file (default MODEL.PRECISION.plan beside the model; MODEL.cpu.plan with --engine cpu)')
      .option('--json', 'print one JSON document (layers, tactics, memory)')
      .action(async (model: string, o: ModelFileFlags & EngineFlags & ProfileFlags & { out?: string; json?: boolean }) => {
        setExit(await build(model, withProfiles(modelFileFlags(o)), out, err));
      }),
    ['nnrt build model.onnx --precision fp16 --out model.plan', 'nnrt build model.onnx --engine cpu   # model.cpu.plan, run with nnrt verify model.cpu.plan',
      'nnrt build model.onnx --precision int8 --calibration model.cache --layer-precision fc=fp32',
      'nnrt build model.onnx --min input=1x3x224x224 --opt input=8x3x224x224 --max input=32x3x224x224',
      "nnrt build bert.onnx --profile 'ids=1x16:1x128:8x512,mask=1x16:1x128:8x512' --profile 'ids=16x16:32x64:64x128,mask=16x16:32x64:64x128'", 'nnrt build model.onnx --timing-cache tc.json --verbose', 'nnrt build model-symbol.json --shape data=1,3,224,224'],
  );

  examples(
    modelFileOptions(program
      .command('inspect <model>'))
      .description('inputs, outputs, opsets, op counts, parameter count and bytes; with --partition, what an engine would take')
      .option('--json', 'print one JSON document')
      .option('--partition <backend>', 'partition for this engine backend (webgpu or cpu) and report subgraphs and declined nodes')
      .option('--exclude-ops <ops>', 'with --partition: op types forced to the framework, e.g. Concat,Softmax (repeatable)', commaList)
      .option('--exclude-nodes <names>', 'with --partition: node names forced to the framework (repeatable)', commaList)
      .option('--min-subgraph-size <n>', 'with --partition: smallest subgraph handed to the engine (default 3)', Number)
      .option('--svg <file>', 'with --partition: draw the graph before and after partitioning to FILE')
      .action((model: string, o: ModelFileFlags & { json?: boolean; partition?: string; excludeOps?: string[]; excludeNodes?: string[]; minSubgraphSize?: number; svg?: string }) => {
        setExit(inspect(model, modelFileFlags(o), out));
      }),
    ['nnrt inspect model.onnx', 'nnrt inspect model.onnx --json', 'nnrt inspect det1-symbol.json --shape data=1,3,12,12',
      'nnrt inspect model.onnx --partition webgpu --exclude-ops Softmax --svg partition.svg'],
  );

  examples(
    modelFileOptions(program
      .command('convert <model>'))
      .description('convert an ONNX model or MXNet checkpoint to ONNX (any opset 11..25) or to an MXNet checkpoint')
      .addOption(new Option('--to <format>', 'output format').choices(['onnx', 'mxnet']).makeOptionMandatory())
      .option('--opset <n>', 'ONNX target opset (default: the source opset, or 17)', (v) => {
        const n = Number(v);
        if (!Number.isInteger(n)) throw new InvalidArgumentError('must be an integer');
        return n;
      })
      .option('--out <file>', 'output file (ONNX) or prefix (MXNet)')
      .action((model: string, o: ModelFileFlags & { to: 'onnx' | 'mxnet'; opset?: number; out?: string }) => {
        setExit(convert(model, modelFileFlags(o), out));
      }),
    ['nnrt convert model-symbol.json --to onnx --opset 13 --out model.onnx', 'nnrt convert model.onnx --to onnx --opset 11'],
  );

  addBenchCommand(program, setExit, out);
  return program;
}

/** Runs the CLI; returns the exit code (0 ok, 1 mismatch/failure, 2 bad input or usage, 3 internal error). */
export async function runCli(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  // Dawn's informational warnings are hidden unless asked for (see src/node/quiet-native-stderr.ts)
  if (argv.includes('--verbose')) process.env.NNRT_VERBOSE ??= '1';
  const badSettings = environmentErrors();
  if (badSettings.length) {
    for (const e of badSettings) process.stderr.write(`nnrt: ${e.name}: ${e.message}\n`);
    return 2;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof NnrtError) {
      process.stderr.write(`nnrt: ${e.name}: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`nnrt: internal error: ${(e as Error)?.stack ?? String(e)}\nThis is a bug in nnrt; please report it with the command that caused it.\n`);
    return 3;
  }
}
