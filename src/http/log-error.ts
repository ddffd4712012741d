import pino from 'pino';
import { currentRequest, type Log } from './request-scope.ts';

/** Out of any request (a background run, `rehome redirects`): JSON on stderr, so a command's stdout stays its output. */
let fallback: Log | undefined;
const processLog = (): Log => (fallback ??= pino({ base: null, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, pino.destination({ dest: 2, sync: true })));

/**
 * Logs an unexpected error for operators without what could identify a person: error messages often quote the
 * input (an address, a name), so only the error's name, its stable code and the stack frames are written; the
 * audit log is the only place people are named. Inside a request it goes to the server's logger with the request
 * id (src/http/request-scope.ts).
 */
export function logUnexpected(where: string, error: unknown): void {
  const e = error as { name?: string; code?: unknown; stack?: string } | undefined;
  const frames = typeof e?.stack === 'string' ? e.stack.split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 8).map((l) => l.trim()) : [];
  const log = currentRequest()?.log ?? processLog();
  log.error({ where, error: e?.name ?? typeof error, ...(typeof e?.code === 'string' ? { code: e.code } : {}), ...(frames.length ? { stack: frames } : {}) }, `${where}: unexpected failure`);
}
