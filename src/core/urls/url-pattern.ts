/**
 * Path and fragment patterns: literal text with `{name}`, `{name*}` and `{name:REGEX}` captures, compiled once to
 * one anchored regex with named groups. The regex source is also sent to the browser by the fragment page, so
 * only syntax every current browser's RegExp understands is produced.
 */

export type PatternSection = 'path' | 'fragment';

export interface CompiledPattern {
  /** Anchored regex source; captures are named groups. */
  source: string;
  names: string[];
  /** The literal text before the first capture (the fast pre-check). */
  literalPrefix: string;
  /** Path patterns: the first segment when it is literal (`app-ab12` of `/app-ab12/{x}`), the key of the rule index. */
  firstSegment: string | null;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/;
/** Names with a meaning of their own in templates. */
const RESERVED = new Set(['fragment', 'org', 'subscription']);

const SEGMENT: Record<PatternSection, string> = { path: '[^/?#]+', fragment: '[^/]+' };
const REST: Record<PatternSection, string> = { path: '[^?#]*', fragment: '[\\s\\S]*' };

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Compiles `pattern`; problems are pushed as `at: sentence` and undefined is returned. */
export function compilePattern(pattern: unknown, section: PatternSection, at: string, problems: string[]): CompiledPattern | undefined {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    problems.push(`${at}: must be a non-empty string`);
    return undefined;
  }
  if (section === 'path' && !pattern.startsWith('/')) {
    problems.push(`${at}: must start with /`);
    return undefined;
  }
  const before = problems.length;
  let source = '';
  let literal = '';
  let literalPrefix: string | null = null;
  const names: string[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === '}') {
      problems.push(`${at}: unbalanced } at position ${i}`);
      return undefined;
    }
    if (ch !== '{') {
      literal += ch;
      i++;
      continue;
    }
    const end = closingBrace(pattern, i);
    if (end < 0) {
      problems.push(`${at}: unclosed { at position ${i}`);
      return undefined;
    }
    if (literalPrefix === null) literalPrefix = literal;
    source += escapeRegex(literal);
    literal = '';
    const body = pattern.slice(i + 1, end);
    const colon = body.indexOf(':');
    let name = colon < 0 ? body : body.slice(0, colon);
    let expr: string;
    if (colon >= 0) {
      expr = body.slice(colon + 1);
      if (!regexCompiles(expr) || /\(\?</.test(expr.replace(/\(\?<[=!]/g, ''))) {
        problems.push(`${at}: {${name}:…} is not a valid regular expression without named groups`);
      }
    } else if (name.endsWith('*')) {
      name = name.slice(0, -1);
      expr = REST[section];
    } else {
      expr = SEGMENT[section];
    }
    if (!NAME.test(name)) problems.push(`${at}: capture name "${name}" must be a letter or _ followed by letters, digits or _`);
    else if (RESERVED.has(name)) problems.push(`${at}: capture name "${name}" is reserved; choose another`);
    else if (names.includes(name)) problems.push(`${at}: capture {${name}} appears twice`);
    names.push(name);
    source += `(?<${name}>${expr})`;
    i = end + 1;
  }
  if (literalPrefix === null) literalPrefix = literal;
  if (section === 'path' && literal.endsWith('/') && literal.length > 1) {
    source += `${escapeRegex(literal.slice(0, -1))}\\/?`;
    if (literalPrefix === literal) literalPrefix = literal.slice(0, -1);
  } else {
    source += escapeRegex(literal);
  }
  if (problems.length > before) return undefined;
  const text = names.length === 0 ? pattern : literalPrefix;
  const slash = text.indexOf('/', 1);
  const firstSegment = section !== 'path' ? null : slash > 0 ? text.slice(1, slash) : names.length === 0 ? text.slice(1) : null;
  return { source: `^${source}$`, names, literalPrefix, firstSegment };
}

function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') i++;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i;
  }
  return -1;
}

function regexCompiles(source: string): boolean {
  if (source.length === 0) return false;
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
