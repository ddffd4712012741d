import { ProductSourceError, type ProductLink, type ProductTicket, type TicketMessage } from '../../../ports/product-source.ts';

/**
 * The product's JSON-lines exports: links (`{ kind, id, field, text }`) and tickets (`{ id, subject,
 * submitterUserId, status, createdAt, messages: [{ authorUserId, body, at }] }`, snake_case accepted too). One
 * object per line; blank lines skipped; the first problem is reported as `file:line: what`.
 */
export function parseLinksJsonl(text: string, file: string): ProductLink[] {
  const seen = new Set<string>();
  return readLines(text, file, (o, at) => {
    const link: ProductLink = { kind: str(o, 'kind', at), id: str(o, 'id', at), field: str(o, 'field', at), text: str(o, 'text', at, true) };
    if (seen.has(link.id)) throw invalid(at, `id ${JSON.stringify(link.id)} appears twice`);
    seen.add(link.id);
    return link;
  });
}

export function parseTicketsJsonl(text: string, file: string): ProductTicket[] {
  return readLines(text, file, (o, at) => {
    const messages = o.messages ?? [];
    if (!Array.isArray(messages)) throw invalid(at, 'messages: expected a list');
    return {
      id: str(o, 'id', at), subject: str(o, 'subject', at, true), submitterUserId: str(o, ['submitterUserId', 'submitter_user_id'], at),
      status: str(o, 'status', at), createdAt: instant(o, ['createdAt', 'created_at'], at),
      messages: messages.map((m: unknown, i: number): TicketMessage => {
        if (!m || typeof m !== 'object') throw invalid(at, `messages[${i}]: expected an object`);
        const msg = m as Record<string, unknown>;
        const author = msg.authorUserId ?? msg.author_user_id ?? null;
        if (author !== null && typeof author !== 'string') throw invalid(at, `messages[${i}].authorUserId: expected text or null`);
        return { authorUserId: author, body: str(msg, 'body', `${at}: messages[${i}]`, true), at: instant(msg, 'at', `${at}: messages[${i}]`) };
      }),
    };
  });
}

function readLines<T>(text: string, file: string, read: (o: Record<string, unknown>, at: string) => T): T[] {
  const out: T[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const at = `${file}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      throw new ProductSourceError('invalid_file', `${at}: not JSON (${(cause as Error).message})`, { cause });
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid(at, 'expected one JSON object per line');
    out.push(read(value as Record<string, unknown>, at));
  });
  return out;
}

function str(o: Record<string, unknown>, keys: string | string[], at: string, allowEmpty = false): string {
  const names = Array.isArray(keys) ? keys : [keys];
  const value = names.map((k) => o[k]).find((v) => v !== undefined);
  if (typeof value !== 'string' || (!allowEmpty && value === '')) throw invalid(at, `${names[0]}: expected ${allowEmpty ? 'text' : 'non-empty text'}`);
  return value;
}

function instant(o: Record<string, unknown>, keys: string | string[], at: string): string {
  const value = str(o, keys, at);
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !/(Z|[+-]\d\d:?\d\d)$/.test(value)) throw invalid(at, `${Array.isArray(keys) ? keys[0] : keys}: expected an ISO-8601 instant with a zone, got ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

function invalid(at: string, what: string): ProductSourceError {
  return new ProductSourceError('invalid_file', `${at}: ${what}`);
}
