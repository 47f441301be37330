// TensorRT's calibration-cache text, read and written: a header line `TRT-<version>-<Algorithm>`,
// then one `tensor_name: <hex>` line per tensor, where <hex> is the big-endian bit pattern of the
// f32 scale amax / 127. TensorRT writes the bits without leading zeros; we accept 1–8 digits and
// write 8. Tensor names may contain ': ' themselves, so a line splits at its last ': '.
import { CalibrationError } from '../../errors.js';
import { VERSION } from '../../version.js';

/** The calibration algorithms, by the name the header carries. */
export const CALIBRATION_ALGOS = { entropy: 'EntropyCalibration2', minmax: 'MinMaxCalibration', percentile: 'PercentileCalibration' } as const;
export type CalibrationAlgo = keyof typeof CALIBRATION_ALGOS;

export interface CalibrationCache {
  /** The header line as read, or as it will be written. */
  header: string;
  /** Per-tensor scale (amax / 127), in file order. */
  scales: Map<string, number>;
  /**
   * Equalized caches only: the per-channel max |x| of each tensor between two equalized convs, in
   * the network before equalization (what the equalize pass balances against the weights). Lines
   * `#channels <tensor>: <hex> <hex> …` after the scales.
   */
  channelRanges?: Map<string, Float32Array>;
  /** The 1-based line each tensor was read from (absent for caches made in memory). */
  lines?: Map<string, number>;
  /** The file it was read from, for error messages. */
  source?: string;
}

/**
 * Ends the algorithm field of a cache calibrated on the cross-layer-equalized network (`nnrt
 * calibrate --equalize`): its ranges hold only for an equalized build, which such a header asks for.
 */
export const EQUALIZED_SUFFIX = '.equalized';

/** nnrt's header in TensorRT's form: `TRT-NNRT0100-EntropyCalibration2` for nnrt 0.1.0 (`….equalized` when equalized). */
export function cacheHeader(algo: CalibrationAlgo, equalized = false): string {
  const digits = VERSION.split('.').map((p) => p.padStart(2, '0')).join('');
  return `TRT-NNRT${digits}-${CALIBRATION_ALGOS[algo]}${equalized ? EQUALIZED_SUFFIX : ''}`;
}

/** True when the cache's ranges are those of the equalized network. */
export const isEqualizedCache = (header: string | undefined): boolean => !!header?.endsWith(EQUALIZED_SUFFIX);

/** The scale TensorRT stores for a range of [-amax, amax]. */
export const scaleOfAmax = (amax: number): number => amax / 127;

/** The 8 hex digits of `scale`'s big-endian f32 bits. */
export function scaleToHex(scale: number): string {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, scale, false);
  return view.getUint32(0, false).toString(16).padStart(8, '0');
}

/** The f32 whose big-endian bits `hex` spells (1–8 hex digits). */
export function hexToScale(hex: string): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, Number.parseInt(hex, 16), false);
  return view.getFloat32(0, false);
}

const HEADER = /^[A-Za-z0-9_.]+-[A-Za-z0-9_.]+-[A-Za-z0-9_.]+$/;

/** Parses cache text; `source` (a file name) goes into error messages. */
export function parseCalibrationCache(text: string, source = 'calibration cache'): CalibrationCache {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const header = lines[0]?.trim() ?? '';
  if (!HEADER.test(header)) {
    throw new CalibrationError(`line 1 is not a calibration-cache header: '${header.slice(0, 80)}'`, {
      where: `${source}:1`, hint: "a TensorRT calibration cache starts with a line like 'TRT-8601-EntropyCalibration2'",
    });
  }
  const scales = new Map<string, number>();
  const at = new Map<string, number>();
  const channelRanges = new Map<string, Float32Array>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const where = `${source}:${i + 1}`;
    if (line === '') continue;
    if (line.startsWith(CHANNELS_PREFIX) && isEqualizedCache(header)) {
      const [name, values] = parseChannels(line.slice(CHANNELS_PREFIX.length), i + 1, where);
      channelRanges.set(name, values);
      continue;
    }
    const cut = line.lastIndexOf(': ');
    const name = cut > 0 ? line.slice(0, cut) : '';
    const hex = cut > 0 ? line.slice(cut + 2).trim() : '';
    if (!name || !/^[0-9a-fA-F]{1,8}$/.test(hex)) {
      throw new CalibrationError(`line ${i + 1} is not 'tensor_name: <hex scale>': '${line.slice(0, 80)}'`, { where });
    }
    const scale = hexToScale(hex);
    if (!Number.isFinite(scale) || scale < 0) throw new CalibrationError(`line ${i + 1} gives tensor '${name}' the scale ${scale}; scales are finite and non-negative`, { where });
    if (scales.has(name)) throw new CalibrationError(`line ${i + 1} repeats tensor '${name}' (first on line ${at.get(name)})`, { where });
    scales.set(name, scale);
    at.set(name, i + 1);
  }
  return { header, scales, ...(channelRanges.size ? { channelRanges } : {}), lines: at, source };
}

const CHANNELS_PREFIX = '#channels ';

/** `<tensor>: <hex> <hex> …` → the tensor and its per-channel ranges. */
function parseChannels(rest: string, line: number, where: string): [string, Float32Array] {
  const cut = rest.lastIndexOf(': ');
  const name = cut > 0 ? rest.slice(0, cut) : '';
  const words = cut > 0 ? rest.slice(cut + 2).trim().split(/\s+/) : [];
  if (!name || !words.length || words.some((w) => !/^[0-9a-fA-F]{1,8}$/.test(w))) {
    throw new CalibrationError(`line ${line} is not '#channels tensor_name: <hex> <hex> …'`, { where });
  }
  const values = Float32Array.from(words, hexToScale);
  if (values.some((v) => !Number.isFinite(v) || v < 0)) throw new CalibrationError(`line ${line} gives tensor '${name}' a channel range that is negative or not finite`, { where });
  return [name, values];
}

/** The cache as text, one tensor per line in the map's order, ending with a newline. */
export function formatCalibrationCache(cache: Pick<CalibrationCache, 'header' | 'scales' | 'channelRanges'>): string {
  const rows = [cache.header];
  for (const [name, scale] of cache.scales) {
    if (/[\r\n]/.test(name)) throw new CalibrationError(`tensor name ${JSON.stringify(name)} contains a line break; the cache format cannot hold it`);
    rows.push(`${name}: ${scaleToHex(scale)}`);
  }
  for (const [name, values] of cache.channelRanges ?? []) rows.push(`${CHANNELS_PREFIX}${name}: ${[...values].map(scaleToHex).join(' ')}`);
  return rows.join('\n') + '\n';
}

/**
 * Checks a cache against the tensors a model has and needs: a tensor the model lacks names its line,
 * a needed tensor the cache lacks is named with the cache.
 */
export function checkCacheFits(cache: CalibrationCache, modelTensors: ReadonlySet<string>, needed: Iterable<string>, source = cache.source ?? 'calibration cache'): void {
  for (const [name] of cache.scales) {
    if (!modelTensors.has(name)) {
      const line = cache.lines?.get(name);
      throw new CalibrationError(`${line ? `line ${line} names` : 'the cache names'} tensor '${name}', which the model does not have`, {
        where: line ? `${source}:${line}` : source, hint: 'the cache was made for another model (or another version of it): calibrate this model again',
      });
    }
  }
  const missing = [...needed].filter((n) => !cache.scales.has(n));
  if (missing.length) {
    throw new CalibrationError(`the cache has no scale for tensor${missing.length > 1 ? 's' : ''} ${missing.slice(0, 5).map((n) => `'${n}'`).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`, {
      where: source, hint: 'calibrate this model again (nnrt calibrate) or pin those layers with --layer-precision',
    });
  }
}
