import { isPlaceholderName, type MailTemplate, type PlaceholderName, type TemplateValues } from './templates.ts';

/** `{{ name }}`: lower-case letters, digits and underscores, optional spaces inside the braces. */
const PLACEHOLDER = /\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g;

export type TemplateProblem = { code: 'placeholder_unknown' | 'subject_invalid' | 'body_empty'; message: string };

/** Problems of a template as written (unknown placeholders, a multi-line subject): checked at load, before any send. */
export function checkTemplate(t: Pick<MailTemplate, 'name' | 'subject' | 'text' | 'html' | 'source'>): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const [part, body] of [['subject', t.subject], ['text', t.text], ['html', t.html ?? '']] as const) {
    for (const name of placeholdersIn(body)) {
      if (!isPlaceholderName(name)) problems.push({ code: 'placeholder_unknown', message: `${t.source}: ${t.name} ${part} uses {{${name}}}, which is not a placeholder (see docs/communications.md)` });
    }
  }
  if (!t.subject.trim() || /[\r\n]/.test(t.subject)) problems.push({ code: 'subject_invalid', message: `${t.source}: ${t.name} needs a one-line subject ("Subject: ..." as its first line)` });
  if (!t.text.trim()) problems.push({ code: 'body_empty', message: `${t.source}: ${t.name} has an empty text body` });
  return problems;
}

export function placeholdersIn(body: string): string[] {
  return [...new Set([...body.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/** Placeholders the template uses that have no value (null, not an empty name): sending refuses them, previews show them. */
export function missingValues(t: Pick<MailTemplate, 'subject' | 'text' | 'html'>, values: TemplateValues): PlaceholderName[] {
  const used = placeholdersIn(`${t.subject}\n${t.text}\n${t.html ?? ''}`).filter(isPlaceholderName);
  return used.filter((name) => values[name] === undefined || values[name] === null);
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string | null;
}

/**
 * Fills a template. Values are escaped in HTML, folded to one line in the subject, verbatim in text. A missing
 * value renders as `[not set: name]` (preview); callers that send check `missingValues` first.
 */
export function renderTemplate(t: Pick<MailTemplate, 'subject' | 'text' | 'html'>, values: TemplateValues): RenderedMail {
  const fill = (body: string, encode: (v: string) => string) => body.replace(PLACEHOLDER, (whole, name: string) => {
    if (!isPlaceholderName(name)) return whole;
    const v = values[name];
    return v === undefined || v === null ? `[not set: ${name}]` : encode(v);
  });
  return {
    subject: fill(t.subject, (v) => v.replace(/[\r\n]+/g, ' ')).trim(),
    text: fill(t.text, (v) => v),
    html: t.html === null ? null : fill(t.html, escapeHtml),
  };
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A template file's text: `Subject: ...` on the first line, a blank line, then the body. */
export function parseTextTemplate(content: string): { subject: string; text: string } | null {
  const normalized = content.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const m = /^Subject:[ \t]*(.*)\n\n?([\s\S]*)$/.exec(normalized);
  return m ? { subject: m[1]!.trim(), text: m[2]!.replace(/\s+$/, '\n') } : null;
}
