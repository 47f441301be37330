// The CPU pool's pause policy (pool-backoff.ts): one strike never pauses spinning, two within the
// window do, for the shortest pause; pairs that keep coming during or soon after a pause double it
// up to the longest; a quiet spell starts again from the shortest. The worker runs the same
// function from its source text, so that text must run on its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKOFF_POLICY as P, BACKOFF_STATE_FLOATS, strikeAt } from '../../src/cpu/pool-backoff.js';

const fresh = () => new Float64Array(BACKOFF_STATE_FLOATS);

test('one strike alone does not pause; a second within the window pauses for the shortest pause', () => {
  const s = fresh();
  strikeAt(s, 10_000, P);
  assert.equal(s[1], 0);
  strikeAt(s, 10_000 + P.window + 1, P); // outside the window: still no pause
  assert.equal(s[1], 0);
  const t = 10_000 + P.window + 1 + P.window - 1;
  strikeAt(s, t, P);
  assert.equal(s[1], 1);
  assert.equal(s[0], t + P.minPause);
});

test('strike pairs that keep coming double the pause up to the longest; a quiet spell resets it', () => {
  const s = fresh();
  let now = 50_000;
  const pauses: number[] = [];
  for (let i = 0; i < 10; i++) {
    strikeAt(s, now, P);
    strikeAt(s, now + 1, P);
    pauses.push(s[0]! - (now + 1));
    now = s[0]! + 2 * P.window; // the next pair comes soon after the pause ends
  }
  const want = [P.minPause];
  while (want.length < 10) want.push(Math.min(P.maxPause, 2 * want[want.length - 1]!));
  assert.deepEqual(pauses, want);
  assert.equal(pauses.at(-1), P.maxPause);
  now = s[0]! + P.escalate + 1;
  strikeAt(s, now, P);
  strikeAt(s, now + 1, P);
  assert.equal(s[0]! - (now + 1), P.minPause);
});

test('a pair during a pause lengthens it, never shortens it', () => {
  const s = fresh();
  strikeAt(s, 1000, P);
  strikeAt(s, 1001, P);
  const first = s[0]!;
  strikeAt(s, 1002, P);
  assert.ok(s[0]! >= first);
  assert.equal(s[0], 1002 + 2 * P.minPause);
});

test('the function runs from its source text alone (as the worker runs it)', () => {
  const fromSource = new Function(`return ${strikeAt.toString()}`)() as typeof strikeAt;
  const a = fresh();
  const b = fresh();
  for (const t of [0, 10, 11, 40, 500, 501, 502, 2000]) {
    strikeAt(a, t, P);
    fromSource(b, t, JSON.parse(JSON.stringify(P)));
  }
  assert.deepEqual([...b], [...a]);
  assert.ok(a[1]! > 1);
});
