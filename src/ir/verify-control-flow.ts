import { GraphError } from '../errors.js';
import type { Graph, Node, OutputInfo } from './graph.js';

/**
 * The contract between a control-flow node and its subgraphs (ONNX If, Loop, Scan): how many
 * values go in and come out, and for If, that both branches agree on their declared types.
 */
export function verifyControlFlow(node: Node, where: string): void {
  if (node.domain !== '') return;
  if (node.opType === 'If') verifyIf(node, where);
  else if (node.opType === 'Loop') verifyLoop(node, where);
  else if (node.opType === 'Scan') verifyScan(node, where);
}

function graphAttr(node: Node, name: string, where: string): Graph {
  const a = node.attrs[name];
  if (!a || a.type !== 'graph') throw new GraphError(`attribute '${name}' must be a graph`, { where });
  return a.value;
}

function verifyIf(node: Node, where: string): void {
  const then = graphAttr(node, 'then_branch', where);
  const els = graphAttr(node, 'else_branch', where);
  for (const [label, g] of [['then_branch', then], ['else_branch', els]] as const) {
    if (g.outputs.length !== node.outputs.length) {
      throw new GraphError(`${label} has ${g.outputs.length} outputs; the If node has ${node.outputs.length}`, {
        where, hint: 'both branches must produce one value per If output',
      });
    }
  }
  then.outputs.forEach((t, k) => {
    const e = els.outputs[k]!;
    const diff = typeDifference(t, e);
    if (diff) throw new GraphError(`then_branch output ${k} '${t.name}' and else_branch output ${k} '${e.name}' differ: ${diff}`, { where });
  });
}

/** Declared kind and dtype must agree where both branches declare them (shapes may differ). */
function typeDifference(a: OutputInfo, b: OutputInfo): string | undefined {
  const ka = a.kind ?? 'tensor';
  const kb = b.kind ?? 'tensor';
  if ((a.dtype || a.kind) && (b.dtype || b.kind) && ka !== kb) return `${ka} vs ${kb}`;
  if (a.dtype && b.dtype && a.dtype !== b.dtype) return `${a.dtype} vs ${b.dtype}`;
  return undefined;
}

function verifyLoop(node: Node, where: string): void {
  const body = graphAttr(node, 'body', where);
  const carried = node.inputs.length - 2;
  if (carried < 0) throw new GraphError(`Loop takes at least 2 inputs (M, cond; either may be ''), got ${node.inputs.length}`, { where });
  if (body.inputs.length !== carried + 2) {
    throw new GraphError(`the body takes ${body.inputs.length} inputs; a Loop with ${carried} loop-carried values needs ${carried + 2} (iteration, condition, values)`, { where });
  }
  if (body.outputs.length < carried + 1) {
    throw new GraphError(`the body has ${body.outputs.length} outputs; it needs the condition and ${carried} loop-carried values`, { where });
  }
  if (node.outputs.length !== body.outputs.length - 1) {
    throw new GraphError(`the Loop has ${node.outputs.length} outputs; its body gives ${carried} loop-carried values and ${body.outputs.length - 1 - carried} scan outputs`, { where });
  }
}

function verifyScan(node: Node, where: string): void {
  const body = graphAttr(node, 'body', where);
  // opset 8 Scan has a leading sequence_lens input the body does not see
  const opset8 = !('scan_input_axes' in node.attrs) && node.inputs.length === body.inputs.length + 1;
  const fed = node.inputs.length - (opset8 ? 1 : 0);
  if (body.inputs.length !== fed) throw new GraphError(`the body takes ${body.inputs.length} inputs; the Scan gives it ${fed}`, { where });
  if (body.outputs.length !== node.outputs.length) {
    throw new GraphError(`the body has ${body.outputs.length} outputs; the Scan has ${node.outputs.length}`, { where });
  }
}
