import type { BufferRef, GpuKernel, Program } from '../../devices/webgpu/program.js';
import { rowNormProgram } from '../../devices/webgpu/row-normalize.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import type { EmbedLayerNormalization } from './ms-embedlayernorm.op.js';

// EmbedLayerNormalization on WebGPU: (1) the embedding sum word[id] + position[pos or s]
// (+ segment[seg]) per element, into embedding_sum (output 2) or scratch; (2) the row-normalization
// shader over it; (3) mask_index, the count of non-zero mask entries per batch row. An id outside
// its table (an error on the CPU) cannot stop a shader: it is clamped to the table.
export const embedLayerNormWgsl: GpuKernel<typeof EmbedLayerNormalization.attrs> = (ins, a, outs) => {
  const [ids, seg, word, pos, , , , mask, posIds] = ins;
  const [batch, seq] = ids!.shape as [number, number];
  const h = word!.shape[1]!;
  const size = batch * seq * h;
  const scratch: number[] = [];
  const sum: BufferRef = outs.length > 2 ? { output: 2 } : { scratch: scratch.push(size) - 1 };
  const u = new Uniforms().add('dims', 'u32', [batch, seq, h, size])
    .add('rows', 'u32', [word!.shape[0]!, pos!.shape[0]!, ins[4]?.shape[0] ?? 1, posIds && posIds.shape[0] === 1 ? 0 : 1]);
  const [SEQ, H, SIZE] = [1, 2, 3].map((i) => u.at('dims', i));
  const rows = (k: number) => u.at('rows', k);
  const names = ['I', 'W', 'P', ...(seg ? ['G', 'SE'] : []), ...(posIds ? ['PI'] : []), 'OUT'];
  const refs: BufferRef[] = [{ input: 0 }, { input: 2 }, { input: 3 }, ...(seg ? [{ input: 1 }, { input: 4 }] : []), ...(posIds ? [{ input: 8 }] : []), sum];
  const decls = names.map((n, i) => storage(i, n, ['I', 'G', 'PI'].includes(n) ? 'i32' : 'f32', n === 'OUT' ? 'read_write' : 'read')).join('');
  const clampRow = (v: string, k: number) => `min(u32(max(${v}, 0)), ${rows(k)} - 1u)`;
  const body = `if (gi >= ${SIZE}) { return; }
    let j = gi % ${H};
    let token = gi / ${H};
    let s = token % ${SEQ};
    let b = token / ${SEQ};
    let w = ${clampRow('I[token]', 0)};
    let p = ${posIds ? clampRow(`PI[b * ${rows(3)} * ${SEQ} + s]`, 1) : `min(s, ${rows(1)} - 1u)`};
    var e = W[w * ${H} + j] + P[p * ${H} + j];
    ${seg ? `e = e + SE[${clampRow('G[token]', 2)} * ${H} + j];` : ''}
    OUT[gi] = e;`;
  const programs: Program[] = [{
    key: `embed-sum:${!!seg}:${!!posIds}`, source: () => `${decls}${u.declare(names.length)}${linearMain(body)}`,
    bindings: refs, uniforms: u, workgroups: linearDispatch(size),
  }];
  programs.push(rowNormProgram({
    rows: batch * seq, len: h, epsilon: a.epsilon, centred: true, x: sum,
    scale: { input: 5, index: { per: 'element' } }, bias: { input: 6, index: { per: 'element' } }, outDtype: outs[0]!.dtype,
  }));
  if (outs.length > 1) {
    const m = new Uniforms().add('dims', 'u32', [batch, seq]);
    const count = mask
      ? `var n = 0; for (var s = 0u; s < ${m.at('dims', 1)}; s = s + 1u) { if (M[gi * ${m.at('dims', 1)} + s] != 0) { n = n + 1; } } MI[gi] = n;`
      : 'MI[gi] = 0;';
    const decl = mask ? storage(0, 'M', 'i32', 'read') + storage(1, 'MI', 'i32', 'read_write') : storage(0, 'MI', 'i32', 'read_write');
    const nb = mask ? 2 : 1;
    programs.push({
      key: `embed-maskindex:${!!mask}`, source: () => `${decl}${m.declare(nb)}${linearMain(`if (gi >= ${m.at('dims', 0)}) { return; }\n    ${count}`)}`,
      bindings: [...(mask ? [{ input: 7 }] : []), { output: 1 }], uniforms: m, workgroups: linearDispatch(batch),
    });
  }
  return { programs, scratch };
};
