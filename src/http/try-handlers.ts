import type { IncomingMessage, ServerResponse } from 'node:http';
import { logUnexpected } from './log-error.ts';
import type { RequestHandler } from './request-handler.ts';

/**
 * Tries mounted handlers in order; says whether one answered. One that throws gets a 500 that names nothing (the
 * error goes to the log), or the connection is cut when its answer had already begun.
 */
export async function tryHandlers(handlers: readonly RequestHandler[], req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  try {
    for (const handler of handlers) if (await handler(req, res)) return true;
    return false;
  } catch (error) {
    logUnexpected('server', error);
    if (!res.headersSent) {
      res.statusCode = 500;
      res.end('Internal error');
    } else {
      res.destroy();
    }
    return true;
  }
}
