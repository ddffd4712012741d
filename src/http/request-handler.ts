import type { IncomingMessage, ServerResponse } from 'node:http';

/** A mounted part of an HTTP server: resolves true when it answered the request, false to let the next one try. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
