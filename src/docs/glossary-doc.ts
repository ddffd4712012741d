import { GLOSSARY } from '../core/glossary/glossary.ts';
import { REASONS } from '../core/readiness/reasons.ts';
import { USER_STATES } from '../core/migration/states.ts';
import type { Words } from '../core/glossary/words.ts';

/**
 * The glossary's tables as Markdown, for the docs: docs/readiness.md (statuses, reasons), docs/console.md (user
 * and subscription states) hold them between markers, docs/errors.md (what the console says) is generated whole.
 * `npm run docs:errors` writes them all; a test fails when a doc and the glossary disagree.
 */

const cell = (s: string) => s.replace(/\|/g, '\\|');

function wordsTable(heading: string, words: Readonly<Record<string, Words>>): string[] {
  return [`| ${heading} | label | meaning |`, '|---|---|---|', ...Object.entries(words).map(([code, w]) => `| \`${code}\` | ${cell(w.label)} | ${cell(w.sentence)} |`)];
}

/** The statuses of docs/readiness.md. */
export function readinessStatusTable(): string {
  return wordsTable('status', GLOSSARY.readinessStatuses).join('\n');
}

/** The reason codes of docs/readiness.md: label, severity, the sentence that stands alone, the fix. */
export function readinessReasonTable(): string {
  return ['| code | label | severity | meaning | fix |', '|---|---|---|---|---|',
    ...Object.entries(REASONS).map(([code, r]) => `| \`${code}\` | ${cell(r.label)} | ${r.severity} | ${cell(r.message)} | ${cell(r.fix)} |`)].join('\n');
}

/** The user and subscription states of docs/console.md. */
export function stateTables(): string {
  return ['User states (the User Migration tab, the status counts):', '', ...wordsTable('state', GLOSSARY.userStates), '',
    'Subscription states (Overview, Migration Status, the subscription list):', '', ...wordsTable('state', GLOSSARY.subscriptionStates)].join('\n');
}

/** The section of docs/errors.md: what the console says for each code it can be refused with. */
export function refusalSection(): string[] {
  const lines = ['', '## What the console says', '',
    'A refused console action shows a sentence from the glossary (`src/core/glossary/refusal-words.ts`), not the',
    'engine\'s message; the code stays in the page (`data-code` on the message) for support. Where the console knows a',
    'detail (the date, where the migration stands, the setting a mail needs), it says the second form.', '',
    '| code | the console says | with a detail |', '|---|---|---|'];
  for (const [code, w] of Object.entries(GLOSSARY.refusals)) lines.push(`| \`${code}\` | ${cell(w.sentence)} | ${w.withDetail ? cell(w.withDetail.replace('{detail}', '…')) : ''} |`);
  lines.push('', 'When Skip, Unskip or Retry refuses a user, the console names the person ("Ann Smith (1001)") and says why, by the', 'state the user is in:', '',
    '| action | state | the console says |', '|---|---|---|');
  for (const [action, byState] of Object.entries(GLOSSARY.userChangeRefusals)) {
    for (const state of USER_STATES) {
      const s = byState[state];
      if (s) lines.push(`| ${action} | \`${state}\` | ${cell(s.replace('{who}', 'Ann Smith (1001)'))} |`);
    }
  }
  return lines;
}

/** The markers around a generated block inside a hand-written doc. */
export function markers(name: string): { start: string; end: string } {
  return { start: `<!-- glossary:${name} (generated from src/core/glossary by npm run docs:errors; do not edit) -->`, end: `<!-- /glossary:${name} -->` };
}

/** `doc` with the block `name` replaced by `body`; throws when the doc has no such block (a doc must keep its markers). */
export function replaceBlock(doc: string, name: string, body: string): string {
  const { start, end } = markers(name);
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`glossary block ${name} not found: the doc needs the lines ${start} and ${end}`);
  return `${doc.slice(0, from + start.length)}\n${body}\n${doc.slice(to)}`;
}

/** Every generated block, by the doc (under docs/) that holds it. */
export const GLOSSARY_BLOCKS: Readonly<Record<string, Readonly<Record<string, () => string>>>> = {
  'readiness.md': { statuses: readinessStatusTable, reasons: readinessReasonTable },
  'console.md': { states: stateTables },
};

/** A doc with all its blocks brought up to date. */
export function refreshBlocks(file: string, doc: string): string {
  let out = doc;
  for (const [name, render] of Object.entries(GLOSSARY_BLOCKS[file] ?? {})) out = replaceBlock(out, name, render());
  return out;
}
