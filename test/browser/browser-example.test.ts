// The browser example (examples/browser/) in real headless Chromium: bundled with esbuild, served
// from a local HTTP server, driven by puppeteer-core. The page runs SqueezeNet 1.1 in a Web Worker
// (WebGPU engine when Chromium offers an adapter, else the CPU); its logits must match onnxruntime's
// (models/squeezenet1_1/test_data_set_0/output_0.pb), and the page's timer must keep ticking meanwhile.
// Saves a screenshot to docs/browser-example.png. Needs Debian's `chromium` (.ci/run installs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { readTensorPb } from '../../src/node/files.js';

const root = new URL('../../', import.meta.url).pathname;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is absent (apt-get install chromium, or set CHROMIUM_PATH)`;
if (missing && process.env.CI) throw new Error(`${missing}, but CI is set: .ci/run installs it`);

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.onnx': 'application/octet-stream', '.pb': 'application/octet-stream' };

test('the browser example runs SqueezeNet in a worker in headless Chromium and matches onnxruntime', { skip: missing ?? false, timeout: 900_000 }, async (t) => {
  const { buildExample } = await import('../../examples/browser/build.mjs');
  const { default: puppeteer } = await import('puppeteer-core');
  const dir = mkdtempSync(join(tmpdir(), 'nnrt-browser-'));
  await buildExample(dir);
  const server = createServer((req, res) => {
    const file = join(dir, (req.url ?? '/').split('?')[0] === '/' ? 'index.html' : (req.url ?? '').split('?')[0]!.replace(/^\/+/, ''));
    if (!file.startsWith(dir) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=vulkan', '--use-vulkan=native'],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 900, height: 640 });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction('window.nnrtResult !== undefined', { timeout: 800_000, polling: 500 });
    const result = await page.evaluate('window.nnrtResult') as { error?: string; device: string; engine: string; ms: number; shape: number[]; logits: number[]; ticks: number };
    await page.screenshot({ path: join(root, 'docs/browser-example.png') });
    assert.equal(result.error, undefined, `${result.error}\n${pageErrors.join('\n')}`);
    t.diagnostic(`ran on ${result.device} (engine ${result.engine}) in ${result.ms.toFixed(0)} ms; the page ticked ${result.ticks} times meanwhile`);
    console.log(`browser example: ${result.device}, engine ${result.engine}, ${result.ms.toFixed(0)} ms, ${result.ticks} page ticks`);
    const want = readTensorPb(join(root, 'models/squeezenet1_1/test_data_set_0/output_0.pb')).tensor;
    assert.deepEqual(result.shape, [...want.shape]);
    const wantData = want.data as Float32Array;
    const tol = result.engine === 'none' ? { atol: 1e-4, rtol: 1e-3 } : { atol: 1e-3, rtol: 1e-3 };
    const bad = result.logits.findIndex((v, i) => !(Math.abs(v - wantData[i]!) <= tol.atol + tol.rtol * Math.abs(wantData[i]!)));
    assert.equal(bad, -1, `logit ${bad}: got ${result.logits[bad]}, onnxruntime ${wantData[bad]}`);
    assert.ok(result.ticks > 0, 'the page timer did not tick while the model ran: the page was blocked');
  } finally {
    await browser.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
