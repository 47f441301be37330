// When the CPU pool's threads stop spinning (thread-pool.ts): a strike is a sign that the machine is
// short of cores (a spin that saw its thread lose the core, a caller that waited long for a
// worker); two strikes within BACKOFF_POLICY.window stop every thread's spinning until a shared
// deadline, and forks pay a futex wake until then.
// The pause grows while the signs go on: it starts at BACKOFF_POLICY.minPause and doubles, up
// to maxPause, for each strike pair that comes within `escalate` of the last pause's end (or
// during it). A virtual machine's vCPUs lose their core now and then even when the machine is idle
// (measured on the project's 2-vCPU VM, CPU engine, 2 threads, nothing else running: 1–3 strike
// pairs in 400 MobileNetV2 runs). With a fixed 250 ms pause, up to 14% of runs started in one and
// took 1.2–1.7× as long (ShuffleNetV2 median 4.0 vs 2.4 ms, MobileNetV2 13.3–20.0 vs 11.1–11.8 ms).
// A machine that stays busy reaches the long pause within a second.
// The worker runs the same function from source, on the same shared state.

/** The pauses' timing (milliseconds). */
export interface BackoffPolicy {
  /** Two strikes this close together pause spinning. */
  readonly window: number;
  readonly minPause: number;
  readonly maxPause: number;
  /** A strike pair this soon after the last pause's end (or during it) doubles the pause. */
  readonly escalate: number;
}

export const BACKOFF_POLICY: BackoffPolicy = { window: 50, minPause: 16, maxPause: 512, escalate: 1000 };

/** Floats of the shared state: [0] pause deadline (Date.now() ms), [1] pauses so far, [2] last strike, [3] last pause length. */
export const BACKOFF_STATE_FLOATS = 4;

/**
 * Records a strike at `now` (Date.now()) in the shared `state`; the second within the window
 * pauses spinning. Self-contained (no names from this module): the worker runs it from source.
 */
export function strikeAt(state: Float64Array, now: number, p: BackoffPolicy): void {
  if (now - state[2]! < p.window) {
    const length = now - state[0]! < p.escalate ? Math.min(p.maxPause, Math.max(p.minPause, 2 * state[3]!)) : p.minPause;
    state[3] = length;
    state[0] = Math.max(state[0]!, now + length);
    state[1]!++;
  }
  state[2] = now;
}
