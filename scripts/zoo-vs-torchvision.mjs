#!/usr/bin/env node
// Checks a zoo architecture against torchvision's: loads DIR/model.onnx (exported by torch_ref.py)
// and DIR/test_data_set_0/{input_0,output_0}.pb, puts torchvision's weights into the zoo net and
// compares its output with onnxruntime's. Runs on the build (npm run build), plain Node:
//   node scripts/zoo-vs-torchvision.mjs --zoo resnet18_v1 --onnx DIR [--device cpu|webgpu] [--json FILE]
// Exit status: 0 match, 1 output mismatch, 2 the weights did not line up (or bad arguments).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const usage = 'usage: node scripts/zoo-vs-torchvision.mjs --zoo NAME --onnx DIR [--device cpu|webgpu] [--json FILE]';
let args;
try {
  args = parseArgs({ options: { zoo: { type: 'string' }, onnx: { type: 'string' }, device: { type: 'string', default: 'cpu' }, json: { type: 'string' } } }).values;
} catch (e) {
  console.error(`${e.message}\n${usage}`);
  process.exit(2);
}
if (!args.zoo || !args.onnx || !['cpu', 'webgpu'].includes(args.device)) {
  console.error(usage);
  process.exit(2);
}

const dist = new URL('../dist/', import.meta.url);
let nnrt, check;
try {
  // dist/node.js registers Dawn for device 'webgpu'
  nnrt = await import(new URL('node.js', dist).href);
  check = await import(new URL('zoo/torchvision-check.js', dist).href);
} catch (e) {
  console.error(`cannot load nnrt's build from ${dist.pathname}: ${e.message}\n(if dist/ is missing or stale, run \`npm run build\`)`);
  process.exit(2);
}

try {
  const { graph } = nnrt.loadOnnxFile(join(args.onnx, 'model.onnx'));
  const input = nnrt.readTensorPb(join(args.onnx, 'test_data_set_0', 'input_0.pb')).tensor;
  const expected = nnrt.readTensorPb(join(args.onnx, 'test_data_set_0', 'output_0.pb')).tensor;
  const report = await check.checkAgainstTorchvision({ zoo: args.zoo, graph, input, expected, source: args.onnx, device: args.device });
  console.log(check.formatCheckReport(report));
  if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2) + '\n');
  process.exit(check.CHECK_EXIT_CODES[report.status]);
} catch (e) {
  // nnrt's own errors (unknown model, unreadable file) say what to do; anything else is a bug
  if (e instanceof nnrt.NnrtError) {
    console.error(`${args.zoo}: ${e.message}`);
    process.exit(2);
  }
  throw e;
}
