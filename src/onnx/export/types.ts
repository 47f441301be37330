// Element types that ops gained in later opsets: exporting a node whose input has such a type to
// an older opset would give a model readers reject, so it is refused with a clear message.
import { UnsupportedError } from '../../errors.js';
import { nodeWhere, type Node } from '../../ir/graph.js';
import { ONNX_DTYPE, ONNX_DTYPE_NAME } from '../proto.js';

const { INT8, UINT8, INT16, UINT16, INT32, INT64, UINT32, UINT64, FLOAT16, BOOL } = ONNX_DTYPE;

/** (op, input index) → element type code → the first opset where the op takes it there. */
const TYPE_SINCE: Record<string, Record<number, Record<number, number>>> = {};

function since(opset: number, ops: string[], codes: number[], input = 0): void {
  for (const op of ops) {
    const byInput = (TYPE_SINCE[op] ??= {});
    const byCode = (byInput[input] ??= {});
    for (const c of codes) byCode[c] = opset;
  }
}

since(12, ['Max', 'Min', 'Clip'], [INT8, UINT8, INT16, UINT16, INT32, INT64, UINT32, UINT64]);
since(12, ['MaxPool', 'ReduceMax', 'ReduceMin'], [INT8, UINT8]);
since(20, ['ReduceMax', 'ReduceMin'], [BOOL]);
since(14, ['Add', 'Sub', 'Mul', 'Div'], [INT8, UINT8, INT16, UINT16]);
since(14, ['Relu'], [INT8, INT16, INT32, INT64]);
since(19, ['QuantizeLinear'], [FLOAT16]);
since(19, ['DequantizeLinear'], [FLOAT16], 1);
since(21, ['DequantizeLinear'], [INT16, UINT16]);
since(21, ['QuantizeLinear'], [INT16, UINT16], 2);
since(21, ['QLinearMatMul'], [FLOAT16], 1);

/** Throws when an input of `node` has an element type its op takes only from a later opset. */
export function checkInputTypes(node: Node, opset: number, codeOf: (value: string) => number | undefined): void {
  const byInput = TYPE_SINCE[node.opType];
  if (!byInput) return;
  for (const [index, byCode] of Object.entries(byInput)) {
    const value = node.inputs[Number(index)];
    const code = value ? codeOf(value) : undefined;
    const first = code === undefined ? undefined : byCode[code];
    if (first !== undefined && first > opset) {
      throw new UnsupportedError(`${node.opType} on ${ONNX_DTYPE_NAME[code!]} input '${value}' does not exist in ONNX opset ${opset}`, {
        where: nodeWhere(node), hint: `export with opset ≥ ${first}`,
      });
    }
  }
}
