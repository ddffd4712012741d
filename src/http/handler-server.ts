import { createServer, type Server } from 'node:http';
import { logUnexpected } from './log-error.ts';
import type { RequestHandler } from './request-handler.ts';

/**
 * A node:http server that tries mounted handlers in order (404 when none answers; a 500 that names nothing when one
 * throws). Handlers are mounted after the bind, because some need the bound URL (port 0).
 */
export function createHandlerServer(): { server: Server; mount(handlers: RequestHandler[]): void } {
  let handlers: RequestHandler[] = [];
  const server = createServer(async (req, res) => {
    try {
      for (const handler of handlers) if (await handler(req, res)) return;
      res.statusCode = 404;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end('Not found');
    } catch (error) {
      logUnexpected('server', error);
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end('Internal error');
      } else {
        res.destroy();
      }
    }
  });
  return { server, mount: (next) => { handlers = next; } };
}
