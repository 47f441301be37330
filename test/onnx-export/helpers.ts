// Shared checks for the exporter tests: build a one-node IR graph, export it at every target
// opset, run the export in onnxruntime-node and compare with references nnrt did not compute.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { UnsupportedError } from '../../src/errors.js';
import type { AttrValue } from '../../src/ir/attr.js';
import { Graph, type Node } from '../../src/ir/graph.js';
import { exportOnnx, MAX_EXPORT_OPSET } from '../../src/onnx/export/model.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { findOp, hasKernel } from '../../src/ops/registry.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, runOrt, type AttrSpec, type OneNodeSpec } from '../helpers/ort-reference.js';

export const TARGET_OPSETS = [11, 13, 17, 18, MAX_EXPORT_OPSET];

export interface ExportCase extends Omit<OneNodeSpec, 'opset'> {
  /** The op does not exist below this opset: export there must fail with an UnsupportedError. */
  minOpset?: number;
  /** Below this opset the export rewrites the node into other ops (so re-import differs in ops). */
  rewrittenBelow?: number;
}

function attrValue(v: AttrSpec): AttrValue {
  if (typeof v === 'number') return Number.isInteger(v) ? { type: 'int', value: v } : { type: 'float', value: v };
  if (typeof v === 'string') return { type: 'string', value: v };
  if (v instanceof Tensor) return { type: 'tensor', value: v };
  if (Array.isArray(v)) {
    if (v.length && typeof v[0] === 'string') return { type: 'strings', value: v as string[] };
    const nums = v as number[];
    return nums.every(Number.isInteger) ? { type: 'ints', value: nums } : { type: 'floats', value: nums };
  }
  return 'floats' in v ? { type: 'floats', value: v.floats } : { type: 'float', value: v.float };
}

/** The case as an nnrt IR graph (one node named 'n'), built directly, not through the importer. */
export function irGraph(c: ExportCase): Graph {
  const attrs = Object.fromEntries(Object.entries(c.attrs ?? {}).map(([k, v]) => [k, attrValue(v)]));
  const node: Node = { name: 'n', opType: c.op, domain: '', inputs: [...c.inputOrder], outputs: [...c.outputs], attrs };
  return new Graph({
    name: c.op,
    nodes: [node],
    inputs: Object.entries(c.inputs).map(([name, t]) => ({ name, dtype: t.dtype, shape: [...t.shape] })),
    outputs: c.outputs.filter(Boolean).map((name) => ({ name })),
    initializers: new Map(Object.entries(c.initializers ?? {})),
    opsets: new Map([['', MAX_EXPORT_OPSET]]),
  });
}

export function hasCpuKernels(g: Graph): boolean {
  return g.nodes.every((n) => findOp(n.domain, n.opType) && hasKernel('cpu', n.domain, n.opType));
}

export async function runGraph(g: Graph, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const s = await createSession(g, { device: 'cpu' });
  return s.run(feeds);
}

export function assertClose(got: Record<string, Tensor>, want: Record<string, Tensor>, what: string, tol = FP32_TOLERANCE): void {
  for (const [name, w] of Object.entries(want)) {
    const g = got[name];
    assert.ok(g, `${what}: output '${name}' is missing`);
    const c = compareTensors(g, w, tol);
    assert.ok(c.pass, `${what}: output '${name}' differs: ${JSON.stringify(c)}`);
  }
}

/**
 * Exports the case at every target opset and checks, per opset: onnxruntime runs the export and
 * matches onnxruntime on the op built directly at the newest opset (and nnrt's CPU executor on the
 * IR graph when nnrt has kernels for it); re-importing the export gives the same op sequence
 * (unless the op was rewritten for that opset) and the same outputs.
 */
export async function checkExport(t: TestContext, c: ExportCase): Promise<void> {
  const want = await runOrt(oneNodeModel({ ...c, opset: MAX_EXPORT_OPSET }), c.inputs);
  const ir = irGraph(c);
  if (hasCpuKernels(ir)) assertClose(await runGraph(ir, c.inputs), want, `${c.op}: nnrt on the IR graph`);
  else t.diagnostic(`nnrt has no CPU kernel for ${c.op} yet: compared with onnxruntime only`);
  for (const opset of TARGET_OPSETS) {
    const where = `${c.op} exported at opset ${opset}`;
    if (c.minOpset && opset < c.minOpset) {
      assert.throws(() => exportOnnx(irGraph(c), { opset }), (e: unknown) => {
        assert.ok(e instanceof UnsupportedError, String(e));
        assert.match(e.message, new RegExp(`${c.op}.*opset ${opset}.*node 'n'`));
        return true;
      }, where);
      continue;
    }
    const bytes = exportOnnx(irGraph(c), { opset });
    assertClose(await runOrt(bytes, c.inputs), want, `${where}, run by onnxruntime`);
    const back = importOnnx(bytes).graph;
    if (!c.rewrittenBelow || opset >= c.rewrittenBelow) {
      assert.deepEqual(back.nodes.map((n) => n.opType), [c.op], `${where}: re-imported ops`);
    }
    // the re-imported graph through nnrt when it can run it, else exported again and run by onnxruntime
    const again = hasCpuKernels(back) ? await runGraph(back, c.inputs) : await runOrt(exportOnnx(back, { opset: MAX_EXPORT_OPSET }), c.inputs);
    assertClose(again, want, `${where}, re-imported`);
  }
}
