// A one-program kernel over the lines of x along one axis (x seen as [outer, n, inner]): one
// invocation per line, whose body reads X and writes Y at `base + j * INNER` for j < N. Ops that
// work a whole line at a time (Hardmax, LpNormalization) supply only that body.
import type { GpuLaunch } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { elementCount, normalizeAxis } from '../../tensor/shape.js';

/** WGSL names the line body may use: `base` (a let), and the expressions N and INNER. */
export interface LineNames {
  N: string;
  INNER: string;
}

/** The launch running `body(names)` once per line of `shape` along `axis`; `key` names the body. */
export function axisLinesLaunch(shape: readonly number[], axis: number, key: string, body: (names: LineNames) => string): GpuLaunch {
  const a = normalizeAxis(axis, shape.length);
  const n = shape[a]!;
  const inner = elementCount(shape.slice(a + 1));
  const lines = n === 0 ? 0 : elementCount(shape) / n;
  const u = new Uniforms().add('dims', 'u32', [lines, n, inner]);
  const [LINES, N, INNER] = [0, 1, 2].map((i) => u.at('dims', i)) as [string, string, string];
  const main = `if (gi >= ${LINES}) { return; }
    let base = (gi / ${INNER}) * ${N} * ${INNER} + gi % ${INNER};
    ${body({ N, INNER })}`;
  return {
    programs: [{
      key,
      source: () => `${storage(0, 'X', 'f32', 'read')}${storage(1, 'Y', 'f32', 'read_write')}${u.declare(2)}\n${linearMain(main)}`,
      bindings: [{ input: 0 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(lines),
    }],
  };
}
