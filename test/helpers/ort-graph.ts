// Small multi-node ONNX models for engine pattern tests (attention, transposes around a layer
// norm...), with onnxruntime as the reference: build the model, run it in onnxruntime, build an
// engine plan from it and run that on the device.
import assert from 'node:assert/strict';
import type { GpuDevice } from '../../src/devices/webgpu/device.js';
import { buildEnginePlan } from '../../src/engine/builder.js';
import type { EnginePlan } from '../../src/engine/plan-format.js';
import { Engine } from '../../src/engine/runtime.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { ModelProto, ONNX_DTYPE } from '../../src/onnx/proto.js';
import { compareTensors, type Tolerance } from '../../src/tensor/compare.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { attrProto, runOrt, tensorProto, type AttrSpec } from './ort-reference.js';

export interface GraphNodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrSpec>;
}

export interface GraphSpec {
  nodes: GraphNodeSpec[];
  /** Float32 runtime inputs (name → example tensor). */
  inputs: Record<string, Tensor>;
  initializers?: Record<string, Tensor>;
  outputs: string[];
  opset?: number;
}

/** Encodes the graph as an ONNX model (float32 inputs with static shapes). */
export function graphModel(spec: GraphSpec): Uint8Array {
  const msg = ModelProto.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: spec.opset ?? 18 }],
    graph: {
      name: 'g',
      node: spec.nodes.map((n, i) => ({
        name: `${n.op}_${i}`, opType: n.op, domain: '', input: n.inputs, output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attrProto(k, v)),
      })),
      input: Object.entries(spec.inputs).map(([name, t]) => ({
        name, type: { tensorType: { elemType: ONNX_DTYPE.FLOAT, shape: { dim: t.shape.map((d) => ({ dimValue: d })) } } },
      })),
      initializer: Object.entries(spec.initializers ?? {}).map(([k, t]) => tensorProto(k, t)),
      output: spec.outputs.map((name) => ({ name })),
    },
  });
  return new Uint8Array(ModelProto.encode(msg).finish());
}

/**
 * Builds the whole graph as one engine plan (every node must be taken: a refusal throws), runs it
 * and compares every output with onnxruntime. Returns the plan for assertions on its layers.
 */
export async function expectEngineLikeOrt(gpu: GpuDevice, spec: GraphSpec, precision: 'fp32' | 'fp16', tol: Tolerance): Promise<EnginePlan> {
  const model = graphModel(spec);
  const want = await runOrt(model, spec.inputs);
  const { graph } = importOnnx(model);
  const shapes = Object.fromEntries(Object.entries(spec.inputs).map(([k, t]) => [k, [...t.shape]]));
  const plan = await buildEnginePlan(gpu, graph, shapes, { timeTactics: false, precision });
  const engine = await Engine.load(gpu, plan);
  const context = await engine.createExecutionContext();
  const got = await context.run(spec.inputs);
  for (const name of spec.outputs) {
    assert.deepEqual([...got[name]!.shape], [...want[name]!.shape], `${name}: shape`);
    const c = compareTensors(got[name]!, want[name]!, tol);
    assert.ok(c.pass, `${precision} ${name}: max abs ${c.maxAbsError}, max rel ${c.maxRelError}, ${c.mismatches} mismatches ${JSON.stringify(c.firstMismatch)}`);
  }
  return plan;
}
