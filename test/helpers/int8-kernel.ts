// Runs one int8 engine tactic on a WebGPU device with raw tensor bytes (packed int8 or f32), for
// the int8 kernel tests: every tensor, constant and scratch binding gets its own buffer.
/// <reference types="@webgpu/types" />
import type { GpuDevice } from '../../src/devices/webgpu/device.js';
import type { Tactic } from '../../src/engine/kernels/tactic.js';
import { withEnables } from '../../src/devices/webgpu/storage.js';

const size16 = (n: number) => Math.max(16, Math.ceil(n / 16) * 16);

/** Runs `tactic`; `inputs` are bytes by tensor name, `outputs` byte sizes by tensor name (filled with 0xAB first). */
export async function runInt8Tactic(
  gpu: GpuDevice, tactic: Tactic, inputs: Record<string, Uint8Array>, outputs: Record<string, number>,
): Promise<Record<string, Uint8Array>> {
  const device = gpu.device;
  const made: GPUBuffer[] = [];
  const buffer = (bytes: number, data?: Uint8Array) => {
    const b = device.createBuffer({ size: size16(bytes), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    made.push(b);
    if (data) {
      const padded = new Uint8Array(size16(data.byteLength));
      padded.set(data);
      device.queue.writeBuffer(b, 0, padded);
    }
    return b;
  };
  const tensors = new Map<string, GPUBuffer>();
  for (const [name, bytes] of Object.entries(inputs)) tensors.set(name, buffer(bytes.byteLength, bytes));
  // outputs start as garbage, so a kernel that skips an element or a byte is caught
  for (const [name, bytes] of Object.entries(outputs)) tensors.set(name, buffer(bytes, new Uint8Array(bytes).fill(0xab)));
  const constants = tactic.constants.map((c) => buffer(c.byteLength, c));
  const scratch = tactic.scratch.map((s) => buffer(s));
  const encoder = device.createCommandEncoder();
  for (const p of tactic.programs) {
    const module = device.createShaderModule({ code: withEnables(p.wgsl) });
    const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } }).catch(async (e) => {
      const info = await module.getCompilationInfo();
      throw new Error(`${tactic.name}: ${info.messages.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ') || e}\n${p.wgsl}`);
    });
    const entries = p.bindings.map((b, i) => {
      const buf = 'tensor' in b ? tensors.get(b.tensor) : 'constant' in b ? constants[b.constant] : scratch[b.scratch];
      if (!buf) throw new Error(`${tactic.name}: binding ${i} names nothing this test made (${JSON.stringify(b)})`);
      return { binding: i, resource: { buffer: buf } };
    });
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }));
    pass.dispatchWorkgroups(...p.workgroups);
    pass.end();
  }
  const reads = Object.entries(outputs).map(([name, bytes]) => {
    const staging = device.createBuffer({ size: size16(bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    made.push(staging);
    encoder.copyBufferToBuffer(tensors.get(name)!, 0, staging, 0, size16(bytes));
    return { name, bytes, staging };
  });
  device.queue.submit([encoder.finish()]);
  const result: Record<string, Uint8Array> = {};
  for (const { name, bytes, staging } of reads) {
    await staging.mapAsync(GPUMapMode.READ);
    result[name] = new Uint8Array(staging.getMappedRange().slice(0, bytes));
    staging.unmap();
  }
  for (const b of made) b.destroy();
  return result;
}
