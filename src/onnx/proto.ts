// The subset of onnx.proto (ONNX IR version 10) that nnrt reads and writes, as a protobufjs
// reflection descriptor. Field numbers follow onnx/onnx.proto; proto2 semantics.
import protobuf from 'protobufjs/light.js';

const repeated = 'repeated';
const descriptor = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            opsetImport: { rule: repeated, type: 'OperatorSetIdProto', id: 8 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            metadataProps: { rule: repeated, type: 'StringStringEntryProto', id: 14 },
            functions: { rule: repeated, type: 'FunctionProto', id: 25 },
          },
        },
        OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
        StringStringEntryProto: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        FunctionProto: {
          fields: {
            name: { type: 'string', id: 1 },
            input: { rule: repeated, type: 'string', id: 4 },
            output: { rule: repeated, type: 'string', id: 5 },
            node: { rule: repeated, type: 'NodeProto', id: 7 },
            domain: { type: 'string', id: 10 },
          },
        },
        GraphProto: {
          fields: {
            node: { rule: repeated, type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: repeated, type: 'TensorProto', id: 5 },
            sparseInitializer: { rule: repeated, type: 'SparseTensorProto', id: 15 },
            docString: { type: 'string', id: 10 },
            input: { rule: repeated, type: 'ValueInfoProto', id: 11 },
            output: { rule: repeated, type: 'ValueInfoProto', id: 12 },
            valueInfo: { rule: repeated, type: 'ValueInfoProto', id: 13 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: repeated, type: 'string', id: 1 },
            output: { rule: repeated, type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            domain: { type: 'string', id: 7 },
            attribute: { rule: repeated, type: 'AttributeProto', id: 5 },
            docString: { type: 'string', id: 6 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            refAttrName: { type: 'string', id: 21 },
            docString: { type: 'string', id: 13 },
            type: { type: 'int32', id: 20 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            g: { type: 'GraphProto', id: 6 },
            floats: { rule: repeated, type: 'float', id: 7 },
            ints: { rule: repeated, type: 'int64', id: 8 },
            strings: { rule: repeated, type: 'bytes', id: 9 },
            tensors: { rule: repeated, type: 'TensorProto', id: 10 },
            graphs: { rule: repeated, type: 'GraphProto', id: 11 },
            tp: { type: 'TypeProto', id: 14 },
          },
        },
        ValueInfoProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'TypeProto', id: 2 },
            docString: { type: 'string', id: 3 },
          },
        },
        TypeProto: {
          fields: {
            tensorType: { type: 'TypeProtoTensor', id: 1 },
            sequenceType: { type: 'TypeProtoSequence', id: 4 },
            // read only to name it in the refusal (nnrt has no map values)
            mapType: { type: 'TypeProtoMap', id: 5 },
            optionalType: { type: 'TypeProtoOptional', id: 9 },
            denotation: { type: 'string', id: 6 },
          },
        },
        TypeProtoTensor: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
        TypeProtoSequence: { fields: { elemType: { type: 'TypeProto', id: 1 } } },
        TypeProtoOptional: { fields: { elemType: { type: 'TypeProto', id: 1 } } },
        TypeProtoMap: { fields: { keyType: { type: 'int32', id: 1 }, valueType: { type: 'TypeProto', id: 2 } } },
        // backend-test data of sequence and optional values (onnx-data.proto)
        SequenceProto: {
          fields: {
            name: { type: 'string', id: 1 },
            elemType: { type: 'int32', id: 2 },
            tensorValues: { rule: repeated, type: 'TensorProto', id: 3 },
            sequenceValues: { rule: repeated, type: 'SequenceProto', id: 5 },
            optionalValues: { rule: repeated, type: 'OptionalProto', id: 7 },
          },
        },
        OptionalProto: {
          fields: {
            name: { type: 'string', id: 1 },
            elemType: { type: 'int32', id: 2 },
            tensorValue: { type: 'TensorProto', id: 3 },
            sequenceValue: { type: 'SequenceProto', id: 5 },
            optionalValue: { type: 'OptionalProto', id: 7 },
          },
        },
        TensorShapeProto: { fields: { dim: { rule: repeated, type: 'Dimension', id: 1 } } },
        Dimension: {
          oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
          fields: {
            dimValue: { type: 'int64', id: 1 },
            dimParam: { type: 'string', id: 2 },
            denotation: { type: 'string', id: 3 },
          },
        },
        SparseTensorProto: {
          fields: {
            values: { type: 'TensorProto', id: 1 },
            indices: { type: 'TensorProto', id: 2 },
            dims: { rule: repeated, type: 'int64', id: 3 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: repeated, type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            floatData: { rule: repeated, type: 'float', id: 4, options: { packed: true } },
            int32Data: { rule: repeated, type: 'int32', id: 5, options: { packed: true } },
            stringData: { rule: repeated, type: 'bytes', id: 6 },
            int64Data: { rule: repeated, type: 'int64', id: 7, options: { packed: true } },
            name: { type: 'string', id: 8 },
            docString: { type: 'string', id: 12 },
            rawData: { type: 'bytes', id: 9 },
            externalData: { rule: repeated, type: 'StringStringEntryProto', id: 13 },
            dataLocation: { type: 'int32', id: 14 },
            doubleData: { rule: repeated, type: 'double', id: 10, options: { packed: true } },
            uint64Data: { rule: repeated, type: 'uint64', id: 11, options: { packed: true } },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);
export const ModelProto = root.lookupType('onnx.ModelProto');
export const TensorProto = root.lookupType('onnx.TensorProto');
export const GraphProto = root.lookupType('onnx.GraphProto');
export const SequenceProto = root.lookupType('onnx.SequenceProto');
export const OptionalProto = root.lookupType('onnx.OptionalProto');

/** ONNX TensorProto.DataType codes. */
export const ONNX_DTYPE = {
  UNDEFINED: 0, FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, COMPLEX64: 14, COMPLEX128: 15, BFLOAT16: 16,
} as const;
export const ONNX_DTYPE_NAME: Record<number, string> = Object.fromEntries(Object.entries(ONNX_DTYPE).map(([k, v]) => [v, k.toLowerCase()]));

/** ONNX AttributeProto.AttributeType codes. */
export const ATTR_TYPE = {
  UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8,
  TENSORS: 9, GRAPHS: 10, SPARSE_TENSOR: 11, SPARSE_TENSORS: 12, TYPE_PROTO: 13, TYPE_PROTOS: 14,
} as const;

// Plain-object views of decoded messages (protobufjs fills defaults; int64 arrive as Long or number).
export type Int64 = number | { toNumber(): number; toString(): string; low: number; high: number; unsigned: boolean };
export interface TensorProtoMsg {
  dims: Int64[]; dataType: number; floatData: number[]; int32Data: number[]; stringData: Uint8Array[];
  int64Data: Int64[]; name: string; rawData: Uint8Array; externalData: { key: string; value: string }[];
  dataLocation: number; doubleData: number[]; uint64Data: Int64[];
}
export interface DimMsg { dimValue?: Int64 | null; dimParam?: string | null; value?: string }
export interface TypeMsg {
  tensorType?: { elemType: number; shape?: { dim: DimMsg[] } | null } | null;
  sequenceType?: { elemType?: TypeMsg | null } | null;
  optionalType?: { elemType?: TypeMsg | null } | null;
  mapType?: { keyType?: number | null; valueType?: TypeMsg | null } | null;
}
export interface ValueInfoMsg {
  name: string;
  type?: TypeMsg | null;
}
/** SequenceProto / OptionalProto elem_type codes. */
export const CONTAINER_ELEM = { UNDEFINED: 0, TENSOR: 1, SPARSE_TENSOR: 2, SEQUENCE: 3, MAP: 4, OPTIONAL: 5 } as const;
export interface SequenceMsg {
  name: string; elemType: number; tensorValues: TensorProtoMsg[]; sequenceValues: SequenceMsg[]; optionalValues: OptionalMsg[];
}
export interface OptionalMsg {
  name: string; elemType: number; tensorValue?: TensorProtoMsg | null; sequenceValue?: SequenceMsg | null; optionalValue?: OptionalMsg | null;
}
export interface AttributeMsg {
  name: string; refAttrName: string; type: number; f: number; i: Int64; s: Uint8Array; t?: TensorProtoMsg | null;
  g?: GraphMsg | null; floats: number[]; ints: Int64[]; strings: Uint8Array[]; tensors: TensorProtoMsg[]; graphs: GraphMsg[];
  tp?: TypeMsg | null;
}
export interface NodeMsg { input: string[]; output: string[]; name: string; opType: string; domain: string; attribute: AttributeMsg[] }
export interface GraphMsg {
  node: NodeMsg[]; name: string; initializer: TensorProtoMsg[]; sparseInitializer: unknown[];
  input: ValueInfoMsg[]; output: ValueInfoMsg[]; valueInfo: ValueInfoMsg[];
}
export interface ModelMsg {
  irVersion: Int64; opsetImport: { domain: string; version: Int64 }[]; producerName: string; producerVersion: string;
  graph?: GraphMsg | null; functions: unknown[]; metadataProps: { key: string; value: string }[];
}

export function toNum(x: Int64 | null | undefined): number {
  if (x === null || x === undefined) return 0;
  return typeof x === 'number' ? x : x.toNumber();
}
