import type { IncomingMessage } from 'node:http';
import type { MigrationNotices, ProductKit } from 'rehome/product-kit';
import { readSession, SESSION_COOKIE, type Session } from './auth/sessions.ts';
import type { EngageDb } from './db/engage-db.ts';
import { parseCookies } from './http/http-io.ts';
import { getUser, type EngageUser } from './users/user-records.ts';

/** What every route reads: the database, the clock, and the IMS sign-in once configured. */
export interface EngageContext {
  db: EngageDb;
  /** `http://host:port`, known once the socket is bound. */
  origin: string;
  now(): Date;
  /** Set by `configureIms`; undefined while the product has no IMS (password only). */
  ims: { kit: ProductKit; brandText: string } | undefined;
  /** Rehome's announcements of each subscription's move (the banner), once `configureIms` named Rehome. */
  notices?: MigrationNotices | undefined;
  /** Bearer token of the Rehome API (`/api/rehome/v1`). */
  rehomeApiToken: string;
}

export interface SignedIn {
  token: string;
  session: Session;
  user: EngageUser;
}

export function signedInUser(ctx: EngageContext, req: IncomingMessage): SignedIn | undefined {
  const token = parseCookies(req)[SESSION_COOKIE];
  const session = readSession(ctx.db, token, ctx.now());
  const user = session && getUser(ctx.db, session.userId);
  return token && session && user ? { token, session, user } : undefined;
}
