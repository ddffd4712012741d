/**
 * Target templates: `https://new.example/#/@{org}/so:{subscription}/engage/{capture.report}`. The scheme and host
 * must be written out literally (a placeholder there could move the link to another host), and that host must be
 * on the allow-list. Constants (`{org}`, `{subscription}`) are inserted at compile time.
 */
import { isAllowedUrl } from './allowed-origins.ts';
import { checkCapture, encodeForSection, SAFE_URL } from './url-encoding.ts';
import type { AllowedOrigin, TemplatePart, UrlSection } from './url-rule-types.ts';

export interface TemplateContext {
  at: string;
  allowed: readonly AllowedOrigin[];
  /** Capture names the rule's patterns define. */
  captures: readonly string[];
  /** Whether `{fragment}` may be used (fragment rules' targets only). */
  fragment: boolean;
  org: string | undefined;
  subscription: string | undefined;
  /** Path to the rule's fields, for messages about `{org}`/`{subscription}`. */
  rule: string;
}

export const MAX_URL_LENGTH = 4096;
const AUTHORITY = /^(https?):\/\/([^/?#]*)(?=[/?#])/i;

/** Applies a compiled template; `values` holds the captures (and `fragment`). */
export function fillTemplate(parts: readonly TemplatePart[], values: Readonly<Record<string, string>>): string {
  let out = '';
  for (const part of parts) {
    out += typeof part === 'string' ? part : encodeForSection(values[part.capture] ?? '', part.section);
  }
  return out;
}

/** The host (`URL.host`) a compiled template always points to. */
export function templateHost(parts: readonly TemplatePart[]): string {
  return new URL(fillTemplate(parts, new Proxy({}, { get: () => 'x' }))).host;
}

export function compileTemplate(template: unknown, ctx: TemplateContext, problems: string[]): TemplatePart[] | undefined {
  const at = ctx.at;
  if (typeof template !== 'string' || template.length === 0) {
    problems.push(`${at}: must be a non-empty string`);
    return undefined;
  }
  if (template.length > MAX_URL_LENGTH) {
    problems.push(`${at}: longer than ${MAX_URL_LENGTH} characters`);
    return undefined;
  }
  const before = problems.length;
  const authority = AUTHORITY.exec(template.split('{', 1)[0]!);
  if (authority === null) {
    problems.push(`${at}: must start with http:// or https:// and a host written out, followed by / ? or # before any placeholder`);
    return undefined;
  }
  if (authority[2]!.includes('@')) problems.push(`${at}: must not contain user information (user@host)`);
  const parts: TemplatePart[] = [];
  let section: UrlSection = 'path';
  let literal = '';
  const pushLiteral = (text: string) => {
    if (!SAFE_URL.test(text)) problems.push(`${at}: ${JSON.stringify(text)} has characters that must be percent-encoded`);
    for (const ch of text) {
      if (ch === '?' && section === 'path') section = 'query';
      else if (ch === '#') section = 'fragment';
    }
    literal += text;
  };
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    const close = open < 0 ? -1 : template.indexOf('}', open);
    if (open < 0 || close < 0) {
      if (template.indexOf('}', i) >= 0 || open >= 0) problems.push(`${at}: unbalanced { or }`);
      pushLiteral(template.slice(i));
      break;
    }
    if (template.slice(i, open).includes('}')) problems.push(`${at}: unbalanced { or }`);
    pushLiteral(template.slice(i, open));
    const name = template.slice(open + 1, close);
    const value = constant(name, ctx, problems);
    if (value !== undefined) {
      pushLiteral(encodeForSection(value, section));
    } else if (name === 'fragment' || name.startsWith('capture.')) {
      const capture = name === 'fragment' ? 'fragment' : name.slice('capture.'.length);
      if (name === 'fragment' && !ctx.fragment) problems.push(`${at}: {fragment} needs a fragment rule (match.fragment) and cannot be used in a fallback`);
      else if (name !== 'fragment' && !ctx.captures.includes(capture)) problems.push(`${at}: {${name}} is not captured by match.path or match.fragment`);
      if (literal !== '') parts.push(literal);
      literal = '';
      parts.push({ capture, section });
    } else if (name !== 'org' && name !== 'subscription') {
      problems.push(`${at}: unknown placeholder {${name}}`);
    }
    i = close + 1;
  }
  if (literal !== '') parts.push(literal);
  if (problems.length > before) return undefined;
  const sample = fillTemplate(parts, new Proxy({}, { get: () => 'x' }));
  if (!isAllowedUrl(sample, ctx.allowed)) {
    let host = authority[2]!;
    try {
      host = new URL(sample).origin;
    } catch {
      // keep the text as written
    }
    problems.push(`${at}: ${host} is not in the allow-list (allowedHosts)`);
    return undefined;
  }
  return parts;
}

function constant(name: string, ctx: TemplateContext, problems: string[]): string | undefined {
  if (name !== 'org' && name !== 'subscription') return undefined;
  const value = name === 'org' ? ctx.org : ctx.subscription;
  if (typeof value !== 'string' || value === '') {
    problems.push(`${ctx.at}: {${name}} needs ${ctx.rule}.${name}`);
    return undefined;
  }
  if (checkCapture(value) !== null) {
    problems.push(`${ctx.rule}.${name}: must not contain control characters, backslashes or bad % escapes`);
    return undefined;
  }
  return value;
}
