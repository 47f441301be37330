export interface NormalizeOptions {
  case_change_action: 'NONE' | 'LOWER' | 'UPPER';
  is_case_sensitive: number;
  stopwords: string[];
}

/** The words left after removing stopwords, with their case changed (locale-independent case mapping). */
export function normalizeStrings(words: readonly string[], o: NormalizeOptions): string[] {
  const fold = (w: string) => (o.is_case_sensitive ? w : w.toLowerCase());
  const stops = new Set(o.stopwords.map(fold));
  const kept = words.filter((w) => !stops.has(fold(w)));
  if (o.case_change_action === 'LOWER') return kept.map((w) => w.toLowerCase());
  if (o.case_change_action === 'UPPER') return kept.map((w) => w.toUpperCase());
  return kept;
}
