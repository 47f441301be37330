// The WebAssembly SIMD CPU kernels (AssemblyScript). `npm run build:wasm` compiles this entry into
// src/cpu/kernels.wasm.ts. Memory is imported: the host allocates every buffer and passes byte
// addresses, so nothing here allocates.
export { gemm, gemmEx, gemmScratchFloats, packAPanels, packBPanels, packedAFloats, packedBFloats } from './gemm';
export { im2col2d, im2colPacked, depthwise2d, depthwiseScratchFloats } from './conv';
export { gemvPackedA } from './gemv-packed';
export { maxPool2d, avgPool2d, globalPool, poolScratchFloats } from './pool';
export { activation, epilogueBlock } from './epilogue';
export { softmaxRows, layerNormRows, addMaskRows, softmaxRowsCausal } from './rows';
export { binary, channelAffine } from './eltwise';
export { lstmSequences, gruSequences, rnnSequences } from './rnn';
export { winogradGemms, winogradInput, winogradOutput, winogradPadFloats, winogradXiFloats } from './winograd';
export { winograd4Input, winograd4Output, winograd4PadFloats } from './winograd4';
export { conv1x1Direct, conv1x1ScratchFloats } from './conv1x1';
export { convChunkFloats, convChunks } from './conv-chunks';
