// `nnrt calibrate MODEL --data DIR|--images DIR --algo entropy|minmax|percentile --out FILE`:
// runs the float model over calibration batches and writes TensorRT's calibration-cache text
// (atomically), with a progress bar on a terminal.
import { Command, InvalidArgumentError, Option } from 'commander';
import { calibrateGraph, calibrationFor, DEFAULT_PERCENTILE } from '../runtime/calibrate.js';
import { CALIBRATION_ALGOS, formatCalibrationCache, type CalibrationAlgo } from '../engine/calibrate/cache-file.js';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../node/atomic-write.js';
import { readFileChecked } from '../node/files.js';
import { imageBatches, tensorBatches } from './calibration-data.js';
import { loadModelFromFile, parseShapeOptions } from '../node/load-model.js';
import { DEVICES, type DeviceName } from '../runtime/session.js';
import { terminalBar } from './progress-bar.js';
import type { ImageFlags } from './run-inputs.js';

export interface CalibrateOptions extends ImageFlags {
  /** Only check that this cache fits the model. */
  check?: string;
  data?: string;
  images?: string;
  algo?: CalibrationAlgo;
  percentile?: number;
  /** Calibrate the equalized network (the cache then asks builds to equalize). */
  equalize?: boolean;
  out?: string;
  device?: DeviceName;
  batchSize?: number;
  quiet?: boolean;
  params?: string;
  epoch?: number;
  shape?: string[];
}

/** Calibrates `model`; returns the exit code. */
export async function calibrate(model: string, o: CalibrateOptions, out: (line: string) => void): Promise<number> {
  if (o.check) return checkCache(model, o, out);
  if (!o.out) throw new UsageError('nnrt calibrate needs --out FILE (the calibration cache to write)');
  if (!o.data === !o.images) throw new UsageError('give exactly one of --data DIR (input_*.pb files) or --images DIR (JPEG/PNG)');
  const algo = o.algo ?? 'entropy';
  if (!(algo in CALIBRATION_ALGOS)) throw new UsageError(`unknown --algo '${algo}'`, { hint: `choose one of ${Object.keys(CALIBRATION_ALGOS).join(', ')}` });
  if (o.percentile !== undefined && algo !== 'percentile') throw new UsageError('--percentile goes with --algo percentile');
  const { graph } = loadModelFromFile(model, { params: o.params, epoch: o.epoch, ...(o.shape ? { inputShapes: parseShapeOptions(o.shape) } : {}) });
  const inputs = graph.inputs.filter((v) => !graph.initializers.has(v.name));
  const batches = o.data ? tensorBatches(o.data, inputs) : imageBatches(o.images!, inputs, o);
  const bar = o.quiet || !process.stderr.isTTY ? undefined : terminalBar('calibrate |{bar}| pass {pass} batch {value}/{total}');
  const t0 = performance.now();
  let cache;
  try {
    cache = await calibrateGraph(graph, batches, {
      algo, device: o.device, ...(o.equalize ? { equalize: true } : {}), ...(o.percentile !== undefined ? { percentile: o.percentile } : {}),
      progress: (p) => bar?.update(p.batches, p.batch, { pass: `${p.pass}/${p.passes}` }),
    });
  } finally {
    bar?.stop();
  }
  writeFileAtomic(o.out, formatCalibrationCache(cache));
  if (!o.quiet) {
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    out(`calibrated ${cache.scales.size} tensors${o.equalize ? ' of the equalized network' : ''} over ${batches.count} batch(es) with ${algo}${algo === 'percentile' ? ` ${o.percentile ?? DEFAULT_PERCENTILE}%` : ''} in ${s} s; wrote ${o.out}`);
  }
  return 0;
}

/** `--check FILE`: parses the cache and checks it against the model (a CalibrationError otherwise). */
function checkCache(model: string, o: CalibrateOptions, out: (line: string) => void): number {
  if (o.data || o.images || o.out) throw new UsageError('--check FILE reads a cache; it takes no --data, --images or --out');
  const { graph } = loadModelFromFile(model, { params: o.params, epoch: o.epoch, ...(o.shape ? { inputShapes: parseShapeOptions(o.shape) } : {}) });
  const text = new TextDecoder().decode(readFileChecked(o.check!, 'calibration cache'));
  const cache = calibrationFor(graph, text, o.check!);
  if (!o.quiet) out(`${o.check} fits ${model}: ${cache.scales.size} tensor scales (${cache.header})`);
  return 0;
}

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

/** Adds the `calibrate` verb to the program. */
export function addCalibrateCommand(program: Command, setExit: (code: number) => void, out: (line: string) => void): Command {
  return program
    .command('calibrate <model>')
    .description('run the float MODEL over calibration data and write per-tensor int8 ranges as a TensorRT calibration cache')
    .option('--data <dir>', 'input_0.pb ... files, or one folder of them per batch (as ONNX test_data_set_N)')
    .option('--images <dir>', 'JPEG/PNG images for a [N,3,H,W] input, preprocessed as nnrt run --image')
    .addOption(new Option('--algo <algo>', 'how each range is chosen').choices(Object.keys(CALIBRATION_ALGOS)).default('entropy'))
    .option('--percentile <p>', `with --algo percentile: percent of |x| kept (default ${DEFAULT_PERCENTILE})`, (v) => {
      const n = Number(v);
      if (!(n > 0 && n <= 100)) throw new InvalidArgumentError('must be in (0, 100]');
      return n;
    })
    .option('--equalize', 'calibrate the network as an equalized int8 build computes it (cross-layer equalization of conv chains); builds with the cache equalize too')
    .option('--out <file>', 'the calibration cache to write')
    .option('--check <file>', 'instead: check that this calibration cache (nnrt\'s or TensorRT\'s) fits MODEL')
    .addOption(new Option('--device <device>', 'where the float model runs (default cpu)').choices(DEVICES))
    .option('--batch-size <n>', 'with --images and a model of symbolic batch: images per batch (default 8)', positive)
    .option('--preprocess <imagenet|none>', 'with --images: as nnrt run --image (default imagenet)')
    .option('--mean <m>', 'with --images: per-channel mean')
    .option('--std <s>', 'with --images: per-channel std')
    .option('--scale <f>', 'with --images: pixel multiplier', Number)
    .option('--size <n|h,w>', 'with --images: crop/resize target')
    .option('--params <file>', 'MXNet: the params file')
    .option('--epoch <n>', 'MXNet: which epoch', Number)
    .option('--shape <name=dims>', 'MXNet: a data input shape (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('-q, --quiet', 'no progress bar or summary line')
    .addHelpText('after', [
      '', 'Examples:',
      '  $ nnrt calibrate model.onnx --images calib/ --out model.calib',
      '  $ nnrt calibrate model.onnx --data batches/ --algo percentile --percentile 99.9 --out model.calib',
      '  $ nnrt calibrate model.onnx --images calib/ --algo minmax --equalize --out model.calib',
      '  $ nnrt calibrate model.onnx --check trt.calib',
    ].join('\n'))
    .action(async (model: string, o: CalibrateOptions) => {
      setExit(await calibrate(model, o, out));
    });
}
