import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import { appendSetCookie, parseCookies } from '../http/http-io.ts';
import type { ConsoleTables } from '../app/console-schema.ts';

export const SESSION_COOKIE = 'rehome_console';
const SESSION_HOURS = 12;

/** Who is signed in: an IMS account (`ims`), or the holder of a bootstrap link bound to one subscription. */
export interface ConsoleSession {
  idHash: string;
  kind: 'ims' | 'bootstrap';
  /** IMS subject (`sub`), or `bootstrap:<id>` for a bootstrap session. */
  subject: string;
  displayName: string;
  /** A bootstrap session acts on this subscription only. */
  subscriptionId: string | null;
  csrf: string;
  /** The audit actor of everything done in this session. */
  actor: string;
}

export interface Flash {
  kind: 'notice' | 'error';
  text: string;
  /** The engine's or the app's error code, kept for support. */
  code?: string;
  /** A refused form value, shown again in its field with the message beside it (not only in the banner). */
  field?: { name: string; value: string; message: string };
}

export type ConsoleDb = Kysely<ConsoleTables>;

export function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Server-side sessions: the cookie holds a random id (HttpOnly, SameSite=Lax, Path=/console, Secure over https),
 * the database its digest, the CSRF token and a one-shot flash message. A new id is issued at every sign-in
 * (no session fixation); sign-out deletes the row.
 */
export function createSessions(db: ConsoleDb, opts: { now: () => Date; secure: boolean }) {
  const cookie = (value: string, maxAge: number) =>
    `${SESSION_COOKIE}=${value}; Path=/console; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${opts.secure ? '; Secure' : ''}`;

  return {
    async start(res: ServerResponse, input: { kind: 'ims' | 'bootstrap'; subject: string; displayName: string; subscriptionId?: string | null }): Promise<void> {
      const id = randomToken();
      const now = opts.now();
      await db.deleteFrom('console_sessions').where('expires_at', '<', now.toISOString()).execute();
      await db.insertInto('console_sessions').values({
        id_hash: digest(id), kind: input.kind, subject: input.subject, display_name: input.displayName, subscription_id: input.subscriptionId ?? null,
        csrf: randomToken(), flash: null, created_at: now.toISOString(), expires_at: new Date(now.getTime() + SESSION_HOURS * 3600_000).toISOString(),
      }).execute();
      appendSetCookie(res, cookie(id, SESSION_HOURS * 3600));
    },

    async load(req: IncomingMessage): Promise<ConsoleSession | undefined> {
      const id = parseCookies(req)[SESSION_COOKIE];
      if (!id || id.length < 20) return undefined;
      const row = await db.selectFrom('console_sessions').selectAll().where('id_hash', '=', digest(id)).executeTakeFirst();
      if (!row || row.expires_at <= opts.now().toISOString()) return undefined;
      return {
        idHash: row.id_hash, kind: row.kind as ConsoleSession['kind'], subject: row.subject, displayName: row.display_name,
        subscriptionId: row.subscription_id, csrf: row.csrf, actor: `admin:${row.subject}`,
      };
    },

    async end(res: ServerResponse, session: ConsoleSession | undefined): Promise<void> {
      if (session) await db.deleteFrom('console_sessions').where('id_hash', '=', session.idHash).execute();
      appendSetCookie(res, cookie('', 0));
    },

    async setFlash(session: ConsoleSession, flash: Flash): Promise<void> {
      await db.updateTable('console_sessions').set({ flash: JSON.stringify(flash) }).where('id_hash', '=', session.idHash).execute();
    },

    async takeFlash(session: ConsoleSession): Promise<Flash | undefined> {
      const row = await db.selectFrom('console_sessions').select('flash').where('id_hash', '=', session.idHash).executeTakeFirst();
      if (!row?.flash) return undefined;
      await db.updateTable('console_sessions').set({ flash: null }).where('id_hash', '=', session.idHash).execute();
      return JSON.parse(row.flash) as Flash;
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
