// Small multi-node ONNX models run through the whole engine (import → passes → kernels → Engine)
// and through onnxruntime: the reference for engine layer-kind and fusion tests. The engine build
// fails if any node is declined, so a passing test also shows the pattern is supported.
import assert from 'node:assert/strict';
import type { GpuDevice } from '../../src/devices/webgpu/device.js';
import { buildEnginePlan } from '../../src/engine/builder.js';
import type { EnginePlan } from '../../src/engine/plan-format.js';
import { Engine } from '../../src/engine/runtime.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { ModelProto } from '../../src/onnx/proto.js';
import { DTYPE_ELEMENT_TYPE } from '../../src/tensor/element-type.js';
import { compareTensors, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { attrProto, runOrt, tensorProto, type AttrSpec } from './ort-reference.js';

export interface PatternNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrSpec>;
  domain?: string;
}

export interface PatternSpec {
  nodes: PatternNode[];
  /** Runtime inputs (float32, or int64/int32/bool for the engine's integer inputs). */
  inputs: Record<string, Tensor>;
  /** Initializers (float32 or int64 tensors). */
  initializers?: Record<string, Tensor>;
  outputs: string[];
  opset?: number;
}

export function patternModel(spec: PatternSpec): Uint8Array {
  const domains = [...new Set(spec.nodes.map((n) => n.domain).filter((d): d is string => !!d))];
  const msg = ModelProto.fromObject({
    irVersion: 9,
    opsetImport: [{ domain: '', version: spec.opset ?? 18 }, ...domains.map((domain) => ({ domain, version: 1 }))],
    graph: {
      name: 'pattern',
      node: spec.nodes.map((n, i) => ({ name: `${n.op}_${i}`, opType: n.op, domain: n.domain ?? '', input: n.inputs, output: n.outputs, attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attrProto(k, v)) })),
      input: Object.entries(spec.inputs).map(([name, t]) => ({ name, type: { tensorType: { elemType: DTYPE_ELEMENT_TYPE[t.dtype], shape: { dim: t.shape.map((d) => ({ dimValue: d })) } } } })),
      initializer: Object.entries(spec.initializers ?? {}).map(([k, t]) => tensorProto(k, t)),
      output: spec.outputs.map((name) => ({ name })),
    },
  });
  return new Uint8Array(ModelProto.encode(msg).finish());
}

/**
 * Builds the pattern into one engine at `precision` (tactic timing off), runs it, and compares
 * every output with onnxruntime within `tol`. Returns the plan (tests check which layers it has).
 */
export async function expectEngineLikeOrt(gpu: GpuDevice, spec: PatternSpec, precision: 'fp32' | 'fp16', tol: Tolerance): Promise<EnginePlan> {
  const model = patternModel(spec);
  const want = await runOrt(model, spec.inputs);
  const { graph } = importOnnx(model);
  const shapes = Object.fromEntries(Object.entries(spec.inputs).map(([k, t]) => [k, [...t.shape]]));
  const plan = await buildEnginePlan(gpu, graph, shapes, { timeTactics: false, precision });
  const engine = await Engine.load(gpu, plan);
  const context = await engine.createExecutionContext();
  try {
    const got = await context.run(spec.inputs);
    for (const name of spec.outputs) {
      const g = got[name]!;
      const w = want[name]!;
      assert.deepEqual([...g.shape], [...w.shape], `${name}: shape`);
      assert.equal(g.dtype, w.dtype, `${name}: dtype`);
      const c = compareTensors(g, w, tol);
      assert.ok(c.pass, `${precision} ${name}: ${JSON.stringify(c)}`);
    }
  } finally {
    context.dispose();
    engine.dispose();
  }
  return plan;
}
