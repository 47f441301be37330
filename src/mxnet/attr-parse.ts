// MXNet operator attributes are strings formatted by each operator's parameter parser:
// tuples "(3, 3)" / "(3,3)" / "[3,3]" / "3", booleans "True"/"False"/"1"/"0", optionals "None",
// numbers "1e-05", enums by name. `MxAttrs` reads them with defaults and typed errors.
import { GraphError } from '../errors.js';

export type OptionalInt = number | null;

function fail(name: string, raw: string, want: string, where: string): never {
  throw new GraphError(`attribute '${name}' = '${raw}' is not ${want}`, { where });
}

function parseNumber(s: string): number | undefined {
  const t = s.trim();
  if (/^[+-]?inf(inity)?$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return NaN;
  if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fL]?$/.test(t)) return undefined;
  return Number(t.replace(/[fL]$/, ''));
}

/** "(1, None, -2)" → [1, null, -2]; a bare number is a 1-tuple; undefined when malformed. */
export function parseTuple(s: string): OptionalInt[] | undefined {
  let t = s.trim();
  if ((t.startsWith('(') && t.endsWith(')')) || (t.startsWith('[') && t.endsWith(']'))) t = t.slice(1, -1);
  const parts = t.split(',').map((p) => p.trim());
  if (parts.length && parts[parts.length - 1] === '') parts.pop(); // "(3,)"
  const out: OptionalInt[] = [];
  for (const p of parts) {
    if (p === 'None') out.push(null);
    else {
      const n = parseNumber(p);
      if (n === undefined || !Number.isInteger(n)) return undefined;
      out.push(n);
    }
  }
  return out;
}

/** Typed access to one MXNet node's string attributes; `where` names the node in errors. */
export class MxAttrs {
  constructor(readonly raw: Readonly<Record<string, string>>, readonly where: string) {}

  has(name: string): boolean {
    return this.raw[name] !== undefined && this.raw[name] !== 'None';
  }

  private get(name: string, def: unknown): string | undefined {
    const v = this.raw[name];
    if (v === undefined && def === undefined) throw new GraphError(`required attribute '${name}' is missing`, { where: this.where });
    return v;
  }

  float(name: string, def?: number): number {
    const v = this.get(name, def);
    if (v === undefined) return def!;
    return parseNumber(v) ?? fail(name, v, 'a number', this.where);
  }

  int(name: string, def?: number): number {
    const v = this.get(name, def);
    if (v === undefined) return def!;
    const n = parseNumber(v);
    return n !== undefined && Number.isInteger(n) ? n : fail(name, v, 'an integer', this.where);
  }

  /** An optional int attribute: absent or "None" → null. */
  optInt(name: string): number | null {
    const v = this.raw[name];
    if (v === undefined || v.trim() === 'None') return null;
    return this.int(name);
  }

  bool(name: string, def: boolean): boolean {
    const v = this.raw[name];
    if (v === undefined) return def;
    const t = v.trim().toLowerCase();
    if (t === 'true' || t === '1') return true;
    if (t === 'false' || t === '0') return false;
    return fail(name, v, 'a boolean (True/False)', this.where);
  }

  str(name: string, def?: string): string {
    const v = this.get(name, def);
    return v === undefined ? def! : v.trim();
  }

  /** An enum attribute: one of `choices`. */
  choice<T extends string>(name: string, def: NoInfer<T> | undefined, choices: readonly T[]): T {
    const v = this.str(name, def);
    return choices.includes(v as T) ? (v as T) : fail(name, v, `one of ${choices.join(', ')}`, this.where);
  }

  /** A tuple of ints (no None allowed). */
  ints(name: string, def?: number[]): number[] {
    const v = this.get(name, def);
    if (v === undefined) return [...def!];
    const t = parseTuple(v);
    if (!t || t.some((x) => x === null)) return fail(name, v, 'a tuple of integers', this.where);
    return t as number[];
  }

  /** A tuple whose entries may be None (slice begin/end/step). */
  optInts(name: string, def?: OptionalInt[]): OptionalInt[] {
    const v = this.get(name, def);
    if (v === undefined) return [...def!];
    return parseTuple(v) ?? fail(name, v, 'a tuple of integers or None', this.where);
  }
}
