// The page: fetches the model and an input as bytes, hands them to the worker, shows its progress
// and the top-5 logits. A timer ticks on the page meanwhile: it keeps counting because the model
// runs in the worker. The result is also left on window.nnrtResult for the browser test.
import type { FromWorker } from './worker.js';

const $ = (id: string) => document.getElementById(id)!;
let ticks = 0;
setInterval(() => { ticks++; $('ticks').textContent = String(ticks); }, 100);

function log(text: string): void {
  const li = document.createElement('li');
  li.textContent = text;
  $('log').appendChild(li);
}

async function main(): Promise<void> {
  const [model, input] = await Promise.all(['model.onnx', 'input_0.pb'].map(async (f) => {
    const r = await fetch(f);
    if (!r.ok) throw new Error(`${f}: HTTP ${r.status}`);
    return r.arrayBuffer();
  }));
  log(`model ${(model!.byteLength / 1e6).toFixed(1)} MB and input loaded`);
  const worker = new Worker('worker.js', { type: 'module' });
  const ticksAtStart = ticks;
  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    if (m.kind === 'progress') {
      if (m.total) ($('bar') as HTMLProgressElement).value = m.done! / m.total;
      $('status').textContent = m.text;
      if (!m.total || m.done === 0) log(m.text);
    } else if (m.kind === 'error') {
      $('status').textContent = `error: ${m.text}`;
      (window as unknown as { nnrtResult: unknown }).nnrtResult = { error: m.text };
    } else {
      const top = m.logits.map((v, i) => [i, v] as const).sort((a, b) => b[1] - a[1]).slice(0, 5);
      $('status').textContent = `done on ${m.device} (engine ${m.engine}) in ${m.ms.toFixed(0)} ms; the page ticked ${ticks - ticksAtStart} times meanwhile`;
      $('result').innerHTML = `<tr><th>class</th><th>logit</th></tr>` + top.map(([i, v]) => `<tr><td>${i}</td><td>${v.toFixed(4)}</td></tr>`).join('');
      (window as unknown as { nnrtResult: unknown }).nnrtResult = { ...m, ticks: ticks - ticksAtStart };
    }
  };
  worker.postMessage({ model, input }, [model!, input!]);
}

main().catch((e) => { $('status').textContent = `error: ${(e as Error).message}`; (window as unknown as { nnrtResult: unknown }).nnrtResult = { error: String(e) }; });
