// A cli-progress bar on stderr that starts on its first update and clears itself when stopped
// (engine builds, the demo). Callers decide when not to show one (off a TTY, --quiet).
import cliProgress from 'cli-progress';

export interface TerminalBar {
  update(total: number, done: number, payload: Record<string, string>): void;
  stop(): void;
}

export function terminalBar(format: string): TerminalBar {
  const bar = new cliProgress.SingleBar({
    format,
    stream: process.stderr,
    clearOnComplete: true,
    hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update(total, done, payload) {
      if (!started) {
        bar.start(total, done, payload);
        started = true;
      }
      bar.setTotal(total);
      bar.update(done, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
