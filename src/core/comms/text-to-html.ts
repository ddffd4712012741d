import { escapeHtml } from './render-template.ts';

/** http(s) URLs up to the first space or angle bracket; a trailing full stop, comma or parenthesis is prose. */
const URL_IN_TEXT = /https?:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g;

/**
 * The HTML part of a mail written as plain text only (an override template without `<name>.html`, the IMS's own
 * mails): paragraphs at blank lines, line breaks kept, `- ` lines as a list, URLs as links. Everything is escaped,
 * so the text can hold anything.
 */
export function textToHtml(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim().split(/\n{2,}/).map(block).join('\n');
}

/** A block whose lines are all `- ` items (a heading line before them allowed) is a list; any other, a paragraph. */
function block(part: string): string {
  const lines = part.split('\n');
  const isItem = (l: string) => l.startsWith('- ');
  const head = isItem(lines[0]!) ? undefined : lines[0]!;
  const items = lines.slice(head === undefined ? 0 : 1);
  if (items.length > 0 && items.every(isItem)) {
    return `${head === undefined ? '' : `<p>${inline(head)}</p>\n`}<ul>\n${items.map((l) => `<li>${inline(l.slice(2))}</li>`).join('\n')}\n</ul>`;
  }
  return `<p>${lines.map(inline).join('<br>\n')}</p>`;
}

function inline(line: string): string {
  let out = '';
  let last = 0;
  for (const m of line.matchAll(URL_IN_TEXT)) {
    out += escapeHtml(line.slice(last, m.index));
    out += `<a href="${escapeHtml(m[0])}">${escapeHtml(m[0])}</a>`;
    last = m.index + m[0].length;
  }
  return out + escapeHtml(line.slice(last));
}
