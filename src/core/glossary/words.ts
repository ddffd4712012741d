/** What a person reads for one code: a short label (a table cell, a filter option) and a sentence that explains it. */
export interface Words {
  label: string;
  sentence: string;
}

/**
 * A readiness reason as people read it. `sentence` stands alone (the reason table, the docs); `withDetail`, when the
 * reason carries a detail (an address, a date, other user ids), is the same sentence with `{detail}` where that
 * detail goes. A reason without its detail is written with `sentence`, never with an empty slot.
 */
export interface ReasonWords extends Words {
  withDetail?: string;
  fix: string;
}

/**
 * The sentence with its detail when there is one and the words have a place for it; else the sentence that stands
 * alone. A blank detail counts as none, so no sentence is ever written with an empty slot.
 */
export function sentenceWith(words: { sentence: string; withDetail?: string }, detail?: string | null): string {
  let d = detail?.trim();
  if (!d || !words.withDetail) return words.sentence;
  // A detail that ends a sentence of its own ("... first.") does not get a second full stop.
  if (d.endsWith('.') && words.withDetail.includes('{detail}.')) d = d.slice(0, -1);
  // A function replacement: a detail from the input (an address, a login) holding `$&` or `$'` is inserted as typed.
  const s = words.withDetail.replace('{detail}', () => d);
  return s.charAt(0).toUpperCase() + s.slice(1);
}
