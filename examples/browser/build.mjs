// Bundles the example into OUT (default examples/browser/dist): index.html, main.js, worker.js
// (esbuild), model.onnx and input_0.pb from models/squeezenet1_1. Serve OUT with any static
// server and open index.html:  node examples/browser/build.mjs && npx http-server examples/browser/dist
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const root = join(here, '../..');
export async function buildExample(out = join(here, 'dist')) {
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: { main: join(here, 'main.ts'), worker: join(here, 'worker.ts') },
    bundle: true, format: 'esm', target: 'es2022', outdir: out, logLevel: 'warning',
    // 'nnrt' is this checkout's browser entry (src/index.ts; no Node built-ins)
    alias: { nnrt: join(root, 'src/index.ts') },
  });
  copyFileSync(join(here, 'index.html'), join(out, 'index.html'));
  copyFileSync(join(root, 'models/squeezenet1_1/model.onnx'), join(out, 'model.onnx'));
  copyFileSync(join(root, 'models/squeezenet1_1/test_data_set_0/input_0.pb'), join(out, 'input_0.pb'));
  return out;
}

if (process.argv[1] === new URL(import.meta.url).pathname) console.log(`built ${await buildExample(process.argv[2])}`);
