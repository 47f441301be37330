/** The domain of onnxruntime's contrib ops (transformer fusions, 4-bit MatMul...). */
export const MS_DOMAIN = 'com.microsoft';
