import type { EmbeddedIms } from '../ims/embedded-ims.ts';
import type { StoreAdapter } from '../store/open-store.ts';
import type { RequestHandler } from './http-server.ts';

/** The parts mounted after the IMS, in the order they are tried. */
export function mountedHandlers(_store: StoreAdapter): ((ims: EmbeddedIms) => RequestHandler)[] {
  return [];
}
