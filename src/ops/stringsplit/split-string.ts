/**
 * Python's str.split(sep, maxsplit): with a separator, every occurrence splits (empty pieces kept);
 * without one (undefined or ''), runs of whitespace split and leading whitespace is dropped. At
 * most `maxsplit` splits when it is given and non-negative; the rest stays in the last piece.
 */
export function splitString(s: string, sep: string | undefined, maxsplit: number | undefined): string[] {
  const limit = maxsplit === undefined || maxsplit < 0 ? Infinity : maxsplit;
  const out: string[] = [];
  if (sep) {
    let start = 0;
    while (out.length < limit) {
      const at = s.indexOf(sep, start);
      if (at < 0) break;
      out.push(s.slice(start, at));
      start = at + sep.length;
    }
    out.push(s.slice(start));
    return out;
  }
  let i = 0;
  const space = (c: string) => /\s/.test(c);
  while (i < s.length && space(s[i]!)) i++;
  while (i < s.length) {
    if (out.length === limit) {
      // the remainder keeps its inner and trailing whitespace, as in CPython
      out.push(s.slice(i));
      return out;
    }
    let j = i;
    while (j < s.length && !space(s[j]!)) j++;
    out.push(s.slice(i, j));
    i = j;
    while (i < s.length && space(s[i]!)) i++;
  }
  return out;
}
