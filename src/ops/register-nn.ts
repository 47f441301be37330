// Conv, ConvTranspose, MatMul, Gemm, Einsum, pooling, normalization.
export {};
