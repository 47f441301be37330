// A progress bar for engine builds on a terminal (phase, layers timed); nothing off a TTY or
// with --quiet, so logs and pipes stay clean.
import { terminalBar } from './progress-bar.js';
import type { BuildProgress } from '../engine/config.js';

export interface BuildProgressBar {
  update: (p: BuildProgress) => void;
  stop: () => void;
}

export function buildProgressBar(quiet = false): BuildProgressBar {
  if (quiet || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = terminalBar('engine build |{bar}| {phase} {value}/{total} {layer}');
  return {
    update: (p) => bar.update(p.total, p.done, { phase: p.phase, layer: p.layer ?? '' }),
    stop: () => bar.stop(),
  };
}
