// Renders docs/wavenet-partition.svg: the zoo's WaveNet exported to ONNX, partitioned for the webgpu
// engine by `nnrt inspect MODEL --partition webgpu --svg FILE` (src/partition/svg.ts draws it). The
// causal Slices in every residual block are declined, so each block's convolutions, gates and sums
// become engine nodes with the Slices left to the framework between them.
// Run: node --import tsx scripts/wavenet-partition.ts [OUT.svg]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WaveNet } from '../src/zoo/wavenet.js';

const root = new URL('../', import.meta.url).pathname;
const out = process.argv[2] ?? join(root, 'docs/wavenet-partition.svg');

// One stack of four dilations (1, 2, 4, 8): the structure of the MXNet tutorial's WaveNet at a size
// whose drawing stays readable. Weights do not change the partition; a fixed seed keeps the file stable.
const net = new WaveNet({ inChannels: 256, classes: 256, residualChannels: 32, skipChannels: 64, dilations: [1, 2, 4, 8], stacks: 1 })
  .initialize({ seed: 0 });
const dir = mkdtempSync(join(tmpdir(), 'nnrt-wavenet-'));
try {
  const model = join(dir, 'wavenet.onnx');
  writeFileSync(model, net.exportOnnx({ dtype: 'float32', shape: [1, 256, 64] }));
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'inspect', model, '--partition', 'webgpu', '--svg', out], {
    cwd: root, encoding: 'utf8',
  });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
