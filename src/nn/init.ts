// Seeded parameter initializers with Gluon's semantics (mxnet/initializer.py).
import { UsageError } from '../errors.js';
import { mulberry32 } from '../tensor/random.js';
import { elementCount } from '../tensor/shape.js';


/** A standard normal sample (Box–Muller). */
function gaussian(rand: () => number): number {
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export type Initializer =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'constant'; value: number }
  | { kind: 'uniform'; scale: number }
  | { kind: 'normal'; sigma: number }
  | { kind: 'xavier'; rndType: 'uniform' | 'gaussian'; factorType: 'avg' | 'in' | 'out'; magnitude: number };

export const init = {
  zeros: (): Initializer => ({ kind: 'zeros' }),
  ones: (): Initializer => ({ kind: 'ones' }),
  constant: (value: number): Initializer => ({ kind: 'constant', value }),
  /** Gluon's global default: Uniform(0.07). */
  uniform: (scale = 0.07): Initializer => ({ kind: 'uniform', scale }),
  normal: (sigma = 0.01): Initializer => ({ kind: 'normal', sigma }),
  xavier: (o: { rndType?: 'uniform' | 'gaussian'; factorType?: 'avg' | 'in' | 'out'; magnitude?: number } = {}): Initializer => ({
    kind: 'xavier', rndType: o.rndType ?? 'uniform', factorType: o.factorType ?? 'avg', magnitude: o.magnitude ?? 3,
  }),
};

/** Fills `n` values for a parameter of `shape`; `name` is for errors. */
export function fillValues(ini: Initializer, shape: readonly number[], rand: () => number, name: string): Float32Array {
  const n = elementCount(shape);
  const out = new Float32Array(n);
  switch (ini.kind) {
    case 'zeros': return out;
    case 'ones': return out.fill(1);
    case 'constant': return out.fill(ini.value);
    case 'uniform':
      for (let i = 0; i < n; i++) out[i] = (rand() * 2 - 1) * ini.scale;
      return out;
    case 'normal':
      for (let i = 0; i < n; i++) out[i] = gaussian(rand) * ini.sigma;
      return out;
    case 'xavier': {
      if (shape.length < 2) throw new UsageError(`Xavier initializer needs a parameter of rank ≥ 2; '${name}' has shape [${shape.join(',')}]`);
      const receptive = elementCount(shape.slice(2));
      const fanIn = shape[1]! * receptive;
      const fanOut = shape[0]! * receptive;
      const factor = ini.factorType === 'avg' ? (fanIn + fanOut) / 2 : ini.factorType === 'in' ? fanIn : fanOut;
      const scale = Math.sqrt(ini.magnitude / factor);
      for (let i = 0; i < n; i++) out[i] = ini.rndType === 'uniform' ? (rand() * 2 - 1) * scale : gaussian(rand) * scale;
      return out;
    }
  }
}

/** A 32-bit FNV-1a hash, to derive one generator per parameter from a seed. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
