import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';
/** Where log lines go: anything with `write(line)` (pino's DestinationStream). */
export type LogDestination = DestinationStream;

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * The server's structured log: one JSON object per line on stdout (or `destination`), ISO timestamps, no pid or
 * host (the process supervisor adds those). What goes in is ids, codes, route classes and numbers; people are named
 * only in the audit log (docs/operations.md). Built by the composition root, one per app.
 */
export function createLogger(options: { level: LogLevel; destination?: DestinationStream }): Logger {
  return pino(
    { level: options.level, base: null, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
