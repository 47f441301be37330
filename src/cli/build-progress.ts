// A progress bar for engine builds on a terminal (phase, layers timed); nothing off a TTY or
// with --quiet, so logs and pipes stay clean.
import cliProgress from 'cli-progress';
import type { BuildProgress } from '../engine/config.js';

export interface BuildProgressBar {
  update: (p: BuildProgress) => void;
  stop: () => void;
}

export function buildProgressBar(quiet = false): BuildProgressBar {
  if (quiet || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar({
    format: 'engine build |{bar}| {phase} {value}/{total} {layer}',
    stream: process.stderr,
    clearOnComplete: true,
    hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update(p) {
      if (!started) {
        bar.start(p.total, p.done, { phase: p.phase, layer: p.layer ?? '' });
        started = true;
      }
      bar.setTotal(p.total);
      bar.update(p.done, { phase: p.phase, layer: p.layer ?? '' });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
