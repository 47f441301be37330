/// <reference types="@webgpu/types" />
import { DeviceError } from '../../errors.js';
import { withEnables } from './storage.js';

/**
 * Compute pipelines by shader key. The key names everything the WGSL depends on (op, dtypes,
 * ranks, broadcast pattern, tile configuration), never per-run data, so a model's pipelines are
 * compiled once per device. Compilation errors become DeviceErrors quoting the compiler.
 */
export class PipelineCache {
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();
  /** Pipelines compiled so far (for tests and stats). */
  compiled = 0;

  constructor(private readonly device: GPUDevice) {}

  get size(): number {
    return this.pipelines.size;
  }

  get(key: string, source: () => string): Promise<GPUComputePipeline> {
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.compile(key, withEnables(source()));
      this.pipelines.set(key, p);
      p.catch(() => this.pipelines.delete(key));
    }
    return p;
  }

  private async compile(key: string, code: string): Promise<GPUComputePipeline> {
    const module = this.device.createShaderModule({ code, label: key });
    try {
      const pipeline = await this.device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: key });
      this.compiled++;
      return pipeline;
    } catch (e) {
      const info = await module.getCompilationInfo();
      const errors = info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}:${m.linePos} ${m.message}`);
      throw new DeviceError(`WGSL shader '${key}' failed to compile: ${errors.join('; ') || (e as Error).message}`, { cause: e });
    }
  }
}
