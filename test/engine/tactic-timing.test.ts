// The tactic timer's rounds against a GPU clock that steps up mid-build: candidates are measured in
// turn, and the ones near the best once more in reverse order, so a step during the last round does
// not hand the layer to a candidate only because it was measured after the step. The measurements
// come from a stand-in timer whose clock is known (each candidate's work divided by the clock at
// its call); the programs are real and compile on the test device.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js';
import { enginePipeline, timeTactics } from '../../src/engine/tactic-timing.js';
import type { EngineProgram, Tactic } from '../../src/engine/kernels/tactic.js';
import type { TacticTimer, TimedDispatch } from '../../src/engine/timer.js';
import { kernelContext } from '../helpers/kernel-context.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;

/** A tactic whose one program writes `value` into y (so each candidate has a pipeline of its own). */
const tactic = (name: string, value: number): Tactic => ({
  name, constants: [], scratch: [],
  programs: [{ wgsl: `@group(0) @binding(0) var<storage, read_write> y: array<f32>;\n@compute @workgroup_size(1)\nfn main() { y[0] = ${value}.0; }\n`, bindings: [{ tensor: 'y' }], workgroups: [1, 1, 1] }],
});

/** Times `tactics` with work[name] / clock(call), recording the order of the calls. */
async function timeWithClock(work: Record<string, number>, clock: (call: number) => number): Promise<{ times: number[]; calls: string[] }> {
  const gpu = await sharedGpuDevice(await defaultGpu());
  const ctx = kernelContext(gpu, [{ name: 'y', shape: [1], format: { layout: 'plain', storage: 'f32' } }]);
  const tactics = Object.keys(work).map((n, i) => tactic(n, i + 1));
  const pipelines = await Promise.all(tactics.map((t) => enginePipeline(gpu, (t.programs[0] as EngineProgram).wgsl)));
  const calls: string[] = [];
  const timer = {
    async time(list: TimedDispatch[]): Promise<number> {
      const name = tactics[pipelines.indexOf(list[0]!.pipeline)]!.name;
      calls.push(name);
      return work[name]! / clock(calls.length);
    },
  } as unknown as TacticTimer;
  return { times: await timeTactics(gpu, timer, tactics, ctx, 'layer'), calls };
}

test('a clock step during the last round does not pick the candidate measured after it', { skip }, async () => {
  // the real cost: tensor cores 0.12 ms, SIMT 0.35 ms (an H100 ResNet-50 layer-3 convolution); the
  // clock is at 0.3 for five measurements and steps up between round 3's two
  const { times, calls } = await timeWithClock({ 'tensor-cores': 0.12, simt: 0.35 }, (call) => (call <= 5 ? 0.3 : 1));
  assert.deepEqual(calls.slice(0, 6), ['tensor-cores', 'simt', 'tensor-cores', 'simt', 'tensor-cores', 'simt']);
  // the three rounds alone leave tensor cores at 0.4 (slow clock) against SIMT's 0.35
  assert.deepEqual(calls.slice(6), ['simt', 'tensor-cores'], 'the candidates near the best are measured again, last first');
  assert.ok(Math.abs(times[0]! - 0.12) < 1e-9 && Math.abs(times[1]! - 0.35) < 1e-9, `tensor cores ${times[0]} ms, SIMT ${times[1]} ms`);
});

test('a candidate far from the best is not measured again', { skip }, async () => {
  const { times, calls } = await timeWithClock({ fast: 0.1, slow: 1 }, () => 1);
  assert.deepEqual(calls, ['fast', 'slow', 'fast', 'slow', 'fast', 'slow', 'fast']);
  assert.deepEqual(times, [0.1, 1]);
});
