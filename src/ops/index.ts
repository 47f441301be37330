// Every op lives in its own folder: <op>.op.ts (definition and shape function), <op>.cpu.ts
// (reference kernel), and later <op>.wgsl.ts (WebGPU kernel). The register-*.ts files bind
// definitions to kernels, one file per family so that families can be worked on independently.
import './register-control-flow.js';
import './register-elementwise.js';
import './register-indexing.js';
import './register-ml.js';
import './register-nn.js';
import './register-quant.js';
import './register-recurrent.js';
import './register-strings.js';
import './register-tensor.js';
import './register-math.js';
import './register-transformer.js';

export * from './op.js';
export * from './registry.js';
export * from './typer.js';
