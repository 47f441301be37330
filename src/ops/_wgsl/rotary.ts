// The rotary position embedding shader of ONNX RotaryEmbedding and com.microsoft RotaryEmbedding
// (as _kernels/rotary.ts on the CPU): one invocation per element of X. Of each head's first
// 2·half values, pairs (x[2i], x[2i+1]) when interleaved, else (x[i], x[i+half]), become
// (a·cos − b·sin, a·sin + b·cos) with the i-th entry of the position's cache row; the rest is
// copied. A position id outside the caches (a CPU error) cannot stop a shader: it is clamped.
import { narrow } from '../../devices/webgpu/elementwise.js';
import type { BufferRef, Program } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import type { DType } from '../../tensor/dtype.js';

export interface RotarySpec {
  batch: number;
  heads: number;
  seq: number;
  headSize: number;
  half: number;
  /** X is [batch, heads, seq, head] (else [batch, seq, heads·head]). */
  fourD: boolean;
  interleaved: boolean;
  x: number;
  cos: number;
  sin: number;
  /**
   * Cache rows: b·seq + t (none), position_ids[b, t] ('table'), position_ids[0] + t ('start'), or
   * seqlens_k[b] + 1 − seq + t ('seqlens': GroupQueryAttention's new tokens at the end of its cache).
   */
  positions?: { input: number; kind: 'table' | 'start' | 'seqlens' };
  /** Rows of the caches (to clamp position ids). */
  cacheRows: number;
  outDtype: DType;
  /** Where X is read and Y written when not input `x` and output 0 (a fused op's scratch). */
  src?: BufferRef;
  dst?: BufferRef;
}

export function rotaryProgram(s: RotarySpec): Program {
  const size = s.batch * s.heads * s.seq * s.headSize;
  const u = new Uniforms().add('dims', 'u32', [s.batch, s.heads, s.seq, s.headSize]).add('half', 'u32', [s.half, s.cacheRows]).add('size', 'u32', size);
  const [, HEADS, SEQ, HS] = [0, 1, 2, 3].map((i) => u.at('dims', i));
  const [HALF, ROWS] = [u.at('half', 0), u.at('half', 1)];
  const names = ['X', 'C', 'S', ...(s.positions ? ['P'] : []), 'Y'];
  const bindings: BufferRef[] = [s.src ?? { input: s.x }, { input: s.cos }, { input: s.sin }, ...(s.positions ? [{ input: s.positions.input }] : []), s.dst ?? { output: 0 }];
  const decls = names.map((n, i) => storage(i, n, n === 'P' ? 'i32' : 'f32', n === 'Y' ? 'read_write' : 'read')).join('');
  // (b, t, h) of element gi, in X's layout
  const split = s.fourD
    ? `let t = (gi / ${HS}) % ${SEQ}; let bh = gi / (${HS} * ${SEQ}); let b = bh / ${HEADS};`
    : `let t = (gi / (${HS} * ${HEADS})) % ${SEQ}; let b = gi / (${HS} * ${HEADS} * ${SEQ});`;
  const row = !s.positions ? 'b * SEQ_ + t' : s.positions.kind === 'table' ? 'u32(max(P[b * SEQ_ + t], 0))'
    : s.positions.kind === 'start' ? 'u32(max(P[0], 0)) + t' : 'u32(max(P[b] + 1 - i32(SEQ_) + i32(t), 0))';
  const body = `if (gi >= ${u.at('size')}) { return; }
    let SEQ_ = ${SEQ};
    let e = gi % ${HS};
    if (e >= 2u * ${HALF}) { Y[gi] = X[gi]; return; }
    ${split}
    let r = min(${row}, ${ROWS} - 1u);
    let i = select(select(e - ${HALF}, e, e < ${HALF}), e / 2u, ${s.interleaved});
    let first = select(e < ${HALF}, e % 2u == 0u, ${s.interleaved});
    let head = gi - e;
    let pa = head + select(i, 2u * i, ${s.interleaved});
    let pb = head + select(i + ${HALF}, 2u * i + 1u, ${s.interleaved});
    let a = X[pa];
    let bv = X[pb];
    let c = C[r * ${HALF} + i];
    let sn = S[r * ${HALF} + i];
    let v = select(a * sn + bv * c, a * c - bv * sn, first);
    Y[gi] = ${narrow('v', s.outDtype)};`;
  return {
    key: `rotary:${s.fourD}:${s.interleaved}:${s.positions?.kind ?? '-'}:${s.outDtype}`,
    source: () => `${decls}${u.declare(names.length)}${linearMain(body)}`,
    bindings, uniforms: u, workgroups: linearDispatch(size),
  };
}
