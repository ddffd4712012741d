import { createServer, type Server } from 'node:http';
import { tryHandlers } from './try-handlers.ts';
import type { RequestHandler } from './request-handler.ts';

/**
 * A node:http server that tries mounted handlers in order (404 when none answers; a 500 that names nothing when one
 * throws). Handlers are mounted after the bind, because some need the bound URL (port 0).
 */
export function createHandlerServer(): { server: Server; mount(handlers: RequestHandler[]): void } {
  let handlers: RequestHandler[] = [];
  const server = createServer(async (req, res) => {
    if (await tryHandlers(handlers, req, res)) return;
    res.statusCode = 404;
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end('Not found');
  });
  return { server, mount: (next) => { handlers = next; } };
}
