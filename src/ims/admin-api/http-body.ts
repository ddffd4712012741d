/**
 * Request bodies for the Admin API, SCIM and the token endpoint: read with a size limit (413 before buffering a
 * large body when Content-Length already says so) and decoded strictly as UTF-8.
 */
import type { IncomingMessage } from 'node:http';
import { AdminError } from './admin-error.ts';

export async function readBodyText(req: IncomingMessage, limitBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume();
    throw new AdminError('payload_too_large', `the body is larger than ${limitBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) {
      req.resume();
      throw new AdminError('payload_too_large', `the body is larger than ${limitBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch (error) {
    throw new AdminError('invalid_request', 'the body is not UTF-8 text', { cause: error });
  }
}

/** The media type without parameters, lower-cased (`application/scim+json`), or '' when absent. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Parses a JSON body that must be an object; `invalid_request` otherwise. */
export async function readJsonObject(req: IncomingMessage, limitBytes: number, accepted: readonly string[]): Promise<Record<string, unknown>> {
  const type = mediaType(req);
  if (type !== '' && !accepted.includes(type)) {
    req.resume();
    throw new AdminError('invalid_request', `Content-Type must be ${accepted.join(' or ')}`);
  }
  const text = await readBodyText(req, limitBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AdminError('invalid_request', 'the body is not valid JSON', { cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AdminError('invalid_request', 'the body must be a JSON object');
  }
  return value as Record<string, unknown>;
}
