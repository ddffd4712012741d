/**
 * Search without regard to case or accents: "lukasz" finds "Łukasz", "garcia" finds "García", "norgaard" finds
 * "Nørgaard". One folding, written once, applied to what is indexed (as SQL, per dialect) and to what is asked (in
 * JavaScript), so both sides always agree. Pure.
 */

/** Letters Unicode does not decompose into a base letter and a mark, with their usual Latin transliteration. */
export const SEARCH_FOLD_SPECIAL: readonly (readonly [string, string])[] = [
  ['Ł', 'L'], ['ł', 'l'], ['Ø', 'O'], ['ø', 'o'], ['Đ', 'D'], ['đ', 'd'], ['Ð', 'D'], ['ð', 'd'], ['Ħ', 'H'], ['ħ', 'h'],
  ['Ŧ', 'T'], ['ŧ', 't'], ['ı', 'i'], ['Æ', 'AE'], ['æ', 'ae'], ['Œ', 'OE'], ['œ', 'oe'], ['ß', 'ss'], ['Þ', 'TH'], ['þ', 'th'],
];

/** The text as the index holds it: no marks, the special letters spelled out, lower case. */
export function foldForSearch(text: string): string {
  let out = text.normalize('NFKD').replace(/\p{M}/gu, '');
  for (const [from, to] of SEARCH_FOLD_SPECIAL) out = out.replaceAll(from, to);
  return out.toLowerCase();
}

/**
 * Latin letters that decompose into an ASCII letter and marks (À..ɏ), each with its base letter, as two strings of
 * equal length (what SQL's `translate()` takes).
 */
export function decomposableLatin(): { from: string; to: string } {
  let from = '';
  let to = '';
  for (let code = 0xc0; code <= 0x24f; code++) {
    const ch = String.fromCodePoint(code);
    const base = ch.normalize('NFD').replace(/\p{M}/gu, '');
    if (base !== ch && /^[A-Za-z]$/.test(base)) {
      from += ch;
      to += base;
    }
  }
  return { from, to };
}
