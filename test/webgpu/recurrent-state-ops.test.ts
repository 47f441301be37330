// CausalConvWithState and LinearAttention (opset 27) on WebGPU, with no CPU fallback. onnxruntime
// does not load opset 27, so the reference is onnxruntime running the ops' definitions in opset-18
// primitives: a grouped Conv over the past-prefixed input; the linear-attention recurrence
// unrolled over its few steps (decay, delta read, rank-1 update, grouped query read per step).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importOnnx } from '../../src/onnx/import/model.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { patternModel, type PatternNode } from '../helpers/engine-pattern.js';
import { oneNodeModel, randomTensor, runOrt, type OneNodeSpec } from '../helpers/ort-reference.js';
import { GPU_TOL } from '../helpers/webgpu-one-node.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;
const i64 = (v: number[]) => Tensor.fromNumeric('int64', [v.length], v);

/** Runs the opset-27 node on WebGPU and the primitive graph in onnxruntime; compares `outputs`. */
async function expectLikeReference(spec: OneNodeSpec, nodes: PatternNode[], initializers: Record<string, Tensor>, label: string): Promise<void> {
  const want = await runOrt(patternModel({ nodes, inputs: spec.inputs, initializers, outputs: spec.outputs }), spec.inputs);
  const session = await createSession(importOnnx(oneNodeModel({ ...spec, opset: 27 })).graph, { device: 'webgpu' });
  try {
    const got = await session.run(spec.inputs);
    assert.deepEqual(session.stats().webgpu!.fallbacks, [], `${spec.op} ${label} runs on the GPU`);
    for (const name of spec.outputs) {
      const c = compareTensors(got[name]!, want[name]!, GPU_TOL);
      assert.ok(c.pass, `${spec.op} ${label} ${name}: ${c.reason ?? JSON.stringify(c)}`);
    }
  } finally {
    session.dispose();
  }
}

test('CausalConvWithState on WebGPU: with and without past, bias and SiLU', { skip }, async () => {
  const [b, c, len, k] = [2, 3, 5, 4];
  for (const [past, bias, activation] of [[true, true, 'silu'], [false, false, 'none'], [true, false, 'swish'], [false, true, 'none']] as const) {
    const inputs: Record<string, Tensor> = { x: randomTensor([b, c, len], 300), w: randomTensor([c, 1, k], 301) };
    if (bias) inputs.bias = randomTensor([c], 302);
    const init: Record<string, Tensor> = { starts: i64([len]), ends: i64([len + k - 1]), axes: i64([2]) };
    if (past) inputs.past = randomTensor([b, c, k - 1], 303);
    else init.past = Tensor.fromArray([b, c, k - 1], new Array(b * c * (k - 1)).fill(0));
    const conv = activation === 'none' ? 'y' : 'conv';
    const nodes: PatternNode[] = [
      { op: 'Concat', inputs: ['past', 'x'], outputs: ['padded'], attrs: { axis: 2 } },
      { op: 'Conv', inputs: ['padded', 'w', ...(bias ? ['bias'] : [])], outputs: [conv], attrs: { group: c, kernel_shape: [k] } },
      ...(activation === 'none' ? [] : [{ op: 'Sigmoid', inputs: ['conv'], outputs: ['sig'] }, { op: 'Mul', inputs: ['conv', 'sig'], outputs: ['y'] }]),
      { op: 'Slice', inputs: ['padded', 'starts', 'ends', 'axes'], outputs: ['state'] },
    ];
    const spec: OneNodeSpec = {
      op: 'CausalConvWithState', attrs: { activation }, inputs, outputs: ['y', 'state'],
      inputOrder: ['x', 'w', bias ? 'bias' : '', past ? 'past' : ''],
    };
    await expectLikeReference(spec, nodes, init, `past=${past} bias=${bias} ${activation}`);
  }
});

type Rule = 'linear' | 'gated' | 'delta' | 'gated_delta';

/** LinearAttention unrolled over `len` steps in opset-18 primitives (state [B, Hkv, dk, dv]). */
function linearAttentionGraph(rule: Rule, d: { b: number; len: number; hq: number; hkv: number; dk: number; dv: number; scale: number; perDim: boolean; betaHeads: number }) {
  const nodes: PatternNode[] = [];
  const init: Record<string, Tensor> = {
    qShape: i64([d.b, d.len, d.hkv, d.hq / d.hkv, d.dk]), kShape: i64([d.b, d.len, d.hkv, d.dk]), vShape: i64([d.b, d.len, d.hkv, 1, d.dv]),
    gShape: i64(d.perDim ? [d.b, d.len, d.hkv, d.dk, 1] : [d.b, d.len, d.hkv, 1, 1]), betaShape: i64([d.b, d.len, d.betaHeads, 1, 1]),
    yShape: i64([d.b, 1, d.hq * d.dv]), scale: Tensor.fromArray([], [d.scale]), ax2: i64([2]), ax3: i64([3]),
  };
  const add = (op: string, inputs: string[], out: string, attrs?: PatternNode['attrs']) => { nodes.push({ op, inputs, outputs: [out], ...(attrs ? { attrs } : {}) }); return out; };
  const q = add('Reshape', ['q', 'qShape'], 'q5');
  const k = add('Reshape', ['k', 'kShape'], 'k4');
  const v = add('Reshape', ['v', 'vShape'], 'v5');
  const g = rule.startsWith('gated') ? add('Exp', [add('Reshape', ['decay', 'gShape'], 'g5')], 'eg5') : '';
  const beta = rule.endsWith('delta') ? add('Reshape', ['beta', 'betaShape'], 'beta5') : '';
  let S = 'past';
  const ys: string[] = [];
  for (let t = 0; t < d.len; t++) {
    init[`t${t}`] = Tensor.fromNumeric('int64', [], [t]);
    const at = (x: string, name: string) => add('Gather', [x, `t${t}`], `${name}_${t}`, { axis: 1 });
    const kt = at(k, 'k'); // [B, Hkv, dk]
    let vt = at(v, 'v'); // [B, Hkv, 1, dv]
    if (g) S = add('Mul', [S, at(g, 'g')], `Sg_${t}`);
    const kRow = add('Unsqueeze', [kt, 'ax2'], `krow_${t}`); // [B, Hkv, 1, dk]
    if (beta) vt = add('Mul', [at(beta, 'b'), add('Sub', [vt, add('MatMul', [kRow, S], `read_${t}`)], `dv_${t}`)], `vb_${t}`);
    S = add('Add', [S, add('MatMul', [add('Unsqueeze', [kt, 'ax3'], `kcol_${t}`), vt], `kv_${t}`)], `S_${t}`);
    const o = add('MatMul', [at(q, 'q'), S], `o_${t}`); // [B, Hkv, G, dv]
    ys.push(add('Reshape', [add('Mul', [o, 'scale'], `os_${t}`), 'yShape'], `y_${t}`));
  }
  nodes.push({ op: 'Concat', inputs: ys, outputs: ['y'], attrs: { axis: 1 } }, { op: 'Identity', inputs: [S], outputs: ['state'] });
  return { nodes, init };
}

test('LinearAttention on WebGPU: every update rule, GQA, per-dim and per-head decay, scalar beta', { skip }, async () => {
  const [b, len, dk, dv] = [2, 3, 4, 5];
  const cases: [Rule, number, number, boolean, number][] = [
    ['linear', 2, 2, false, 0], ['gated', 4, 2, true, 0], ['delta', 2, 1, false, 1], ['gated_delta', 4, 2, false, 2], ['gated_delta', 2, 2, true, 1],
  ];
  for (const [n, [rule, hq, hkv, perDim, betaHeads]] of cases.entries()) {
    const inputs: Record<string, Tensor> = {
      q: randomTensor([b, len, hq * dk], 310 + n), k: randomTensor([b, len, hkv * dk], 320 + n, -0.5, 0.5), v: randomTensor([b, len, hkv * dv], 330 + n),
      past: randomTensor([b, hkv, dk, dv], 340 + n),
    };
    if (rule.startsWith('gated')) inputs.decay = randomTensor([b, len, perDim ? hkv * dk : hkv], 350 + n, -1, 0);
    if (rule.endsWith('delta')) inputs.beta = randomTensor([b, len, betaHeads], 360 + n, 0, 1);
    const scale = n === 1 ? 0.7 : 1 / Math.sqrt(dk);
    const { nodes, init } = linearAttentionGraph(rule, { b, len, hq, hkv, dk, dv, scale, perDim, betaHeads });
    const spec: OneNodeSpec = {
      op: 'LinearAttention', attrs: { update_rule: rule, q_num_heads: hq, kv_num_heads: hkv, ...(n === 1 ? { scale: { float: 0.7 } } : {}) }, inputs,
      inputOrder: ['q', 'k', 'v', 'past', inputs.decay ? 'decay' : '', inputs.beta ? 'beta' : ''], outputs: ['y', 'state'],
    };
    await expectLikeReference(spec, nodes, init, `${rule} hq=${hq} hkv=${hkv}`);
  }
});
