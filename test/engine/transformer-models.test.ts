// Every small transformer-era model of test/fixtures/transformers/ through the webgpu engine on
// the device (lavapipe here), against the outputs onnxruntime's CPU provider stored beside each
// model (test_data_set_0), in fp32 and in fp16 with shader-f16 asked of Dawn (as
// NNRT_GPU_FEATURES=f16 does). Each run also checks the engine's reach: the share of the model's
// non-constant nodes that run inside engines, how many engines, and that no tensor crossed
// between device and host. Tactics are not timed (each layer takes its first candidate): timing
// compiles every candidate kernel, minutes on a CPU Vulkan driver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { useDawn } from '../../src/node/webgpu.js';
import { loadOnnxFile, readTensorPb } from '../../src/node/files.js';
import { FOLDED_REASON } from '../../src/partition/partition.js';
import '../../src/ops/index.js';
import { createSession, type Session } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;
if (!skip) useDawn({ gpuFeatures: ['f16'] });

const ROOT = new URL('../fixtures/transformers/', import.meta.url).pathname;

/**
 * Per model: the least share of non-constant nodes in engines and the most engines. Every
 * fixture now runs whole in one engine: BERT's and DistilBERT's attention-mask path (int64 → bool
 * Cast, bool Reshape/Gather/Expand, And, Where) and the token-embedding Gathers with int64 ids
 * from the graph inputs run as integer/bool layers inside the engine (measured 82/82, 80/80 and
 * GPT-2 79/79 running nodes, fp32 and fp16).
 */
const MODELS: Record<string, { minCoverage: number; maxEngines: number }> = {
  vit_tiny: { minCoverage: 1, maxEngines: 1 },
  bert_tiny: { minCoverage: 1, maxEngines: 1 },
  distilbert_tiny: { minCoverage: 1, maxEngines: 1 },
  gpt2_tiny: { minCoverage: 1, maxEngines: 1 },
  whisper_enc_tiny: { minCoverage: 1, maxEngines: 1 },
  convnext_tiny_cfg: { minCoverage: 1, maxEngines: 1 },
  swin_tiny_cfg: { minCoverage: 1, maxEngines: 1 },
};

/**
 * fp16 stores weights and every intermediate tensor in half precision (relative rounding 2^-11
 * per stored value, reductions and accumulations in fp32). Two transformer layers put a few dozen
 * stored values on every path, and LayerNorm rescales the error by 1/σ of its row, so single
 * elements of the unit-variance hidden states may be off by a few 1e-3 (relative error is
 * meaningless near the zeros of such outputs): each element within 0.05 + 0.05·|x|, and the
 * output as a whole within cosine similarity 0.999 of the reference (the encoders' usual check).
 */
const FP16_TOLERANCE: Tolerance = { atol: 0.05, rtol: 0.05 };
const FP16_MIN_COSINE = 0.999;

function dataSet(model: string): { inputs: Record<string, Tensor>; outputs: Record<string, Tensor> } {
  const dir = join(ROOT, model, 'test_data_set_0');
  const read = (prefix: string) => Object.fromEntries(readdirSync(dir).filter((f) => f.startsWith(prefix)).sort().map((f) => {
    const { name, tensor } = readTensorPb(join(dir, f));
    return [name, tensor];
  }));
  return { inputs: read('input_'), outputs: read('output_') };
}


/** Engine nodes ÷ the nodes that run at all (those whose outputs are not folded constants). */
function coverage(session: Session): { share: number; engines: number; inEngines: number; running: number; declined: string[] } {
  const p = session.stats().engine!.partition;
  const folded = p.declined.filter((d) => d.reason === FOLDED_REASON).length;
  const inEngines = p.subgraphs.reduce((a, s) => a + s.nodes.length, 0);
  const running = p.totalNodes - folded;
  const declined = [...p.declined.filter((d) => d.reason !== FOLDED_REASON).map((d) => `${d.node}: ${d.reason}`), ...p.tooSmall.map((c) => `${c.nodes.join(', ')}: ${c.reason}`)];
  return { share: inEngines / running, engines: p.subgraphs.length, inEngines, running, declined };
}

for (const [model, expect] of Object.entries(MODELS)) {
  for (const precision of ['fp32', 'fp16'] as const) {
    test(`${model} ${precision}: the engine's outputs match onnxruntime's; ≥${Math.floor(expect.minCoverage * 100)}% of running nodes in ${expect.maxEngines} engine, no host transfers`, { skip }, async () => {
      const { graph } = loadOnnxFile(join(ROOT, model, 'model.onnx'));
      const { inputs, outputs } = dataSet(model);
      const session = await createSession(graph, { device: 'webgpu', engine: 'webgpu', precision, timeTactics: false });
      try {
        const got = await session.run(inputs);
        for (const [name, want] of Object.entries(outputs)) {
          const g = got[name];
          assert.ok(g, `${model}: output ${name} is missing`);
          assert.deepEqual([...g.shape], [...want.shape], `${model} ${name}: shape`);
          const c = compareTensors(g, want, precision === 'fp32' ? FP32_TOLERANCE : FP16_TOLERANCE);
          assert.ok(c.pass, `${model} ${precision} ${name}: max abs ${c.maxAbsError}, max rel ${c.maxRelError}, ${c.mismatches} mismatches`);
          if (precision === 'fp16') assert.ok(c.cosine! >= FP16_MIN_COSINE, `${model} fp16 ${name}: cosine ${c.cosine}`);
        }
        const cov = coverage(session);
        const what = `${model} ${precision}: ${cov.inEngines} of ${cov.running} running nodes in ${cov.engines} engines; left: ${cov.declined.join('; ')}`;
        assert.ok(cov.share >= expect.minCoverage, what);
        assert.ok(cov.engines >= 1 && cov.engines <= expect.maxEngines, what);
        assert.equal(session.stats().transfers, 0, `${model} ${precision}: device↔host transfers`);
      } finally {
        session.dispose();
      }
    });
  }
}

test('layer times of an engine (bench --layer-times): every program-running layer, shares summing to 1, the layer sum and the whole engine both measured', { skip }, async () => {
  const { graph } = loadOnnxFile(join(ROOT, 'vit_tiny', 'model.onnx'));
  const session = await createSession(graph, { device: 'webgpu', engine: 'webgpu', timeTactics: false });
  try {
    await session.run(dataSet('vit_tiny').inputs);
    const [profile, ...more] = await session.layerTimes!(3);
    assert.ok(profile && more.length === 0, 'one engine, one profile');
    // two encoder layers of (Q/K/V merged into one GEMM, attention, out projection, 2 norms, 2 MLP GEMMs) and the embeddings
    assert.ok(profile.layers.length >= 16, `${profile.layers.length} layers`);
    assert.ok(profile.layers.some((l) => l.kind === 'attention'), 'the fused attention layers are timed');
    assert.ok(profile.layers.every((l, i) => l.ms >= 0 && (i === 0 || l.ms <= profile.layers[i - 1]!.ms)), 'slowest first');
    assert.ok(Math.abs(profile.layers.reduce((a, l) => a + l.share, 0) - 1) < 1e-9, 'shares of the layer sum');
    assert.ok(profile.layers.some((l) => l.kind === 'concat' && l.from.includes('/m/embeddings/Concat')), 'the class-token concat is a layer');
    // both figures are measured; how they compare depends on the machine's load, so it belongs in bench/, not here
    assert.ok(profile.engineMs > 0 && profile.layerSumMs > 0, `layers ${profile.layerSumMs} ms, engine ${profile.engineMs} ms (${profile.method})`);
    assert.ok(Math.abs(profile.layers.reduce((a, l) => a + l.ms, 0) - profile.layerSumMs) <= 1e-6 * profile.layerSumMs + 1e-9, 'the layer sum is the sum of the layers');
    // a layer of several programs (split-K, unfused attention) also has each program timed alone
    assert.ok(profile.layers.every((l) => !l.programs || (l.programs.length >= 2 && l.programs.every((ms) => ms >= 0))), 'program times');
  } finally {
    session.dispose();
  }
});
