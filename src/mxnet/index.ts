// MXNet checkpoints: .params and symbol JSON readers/writers, import to and export from nnrt's IR.
export { readParams, writeParams, type MxArray, type MxContext, type MxParams, type MxRecordLayout } from './params.js';
export { MX_DTYPES, type MxDType } from './dtype.js';
export { parseSymbol, writeSymbol, type MxEntry, type MxNode, type MxSymbol } from './symbol.js';
export { importMxnet, type MxImported, type MxImportOptions } from './import.js';
export { exportMxnet, type MxExported } from './export.js';
export { supportedMxOps } from './convert/registry.js';
