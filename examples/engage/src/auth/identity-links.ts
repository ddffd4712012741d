import type { CutoverStore, ImsIdentity, LinkStore } from 'rehome/product-kit';
import type { EngageDb } from '../db/engage-db.ts';
import { adminContacts, getUser, setLoginMode } from '../users/user-records.ts';
import { findSubscriptionByInstance } from '../users/subscriptions.ts';
import { dropAccountTokens } from './account-tokens.ts';
import { revokePasswordSessions } from './sessions.ts';

/** Engage's link table (product user -> IMS issuer + subject), written by Rehome, read at every IMS sign-in. */
export interface StoredIdentityLink extends ImsIdentity {
  userId: string;
  linkedAt: string;
  firstSignInAt: string | null;
}

export type WriteLinkOutcome = 'created' | 'unchanged' | 'not_found' | 'user_linked_elsewhere' | 'identity_taken';

export function getIdentityLink(db: EngageDb, userId: string): StoredIdentityLink | undefined {
  const row = db.sqlite.prepare('SELECT * FROM identity_links WHERE user_id = ?').get(userId) as
    { user_id: string; issuer: string; subject: string; linked_at: string; first_sign_in_at: string | null } | undefined;
  return row && { userId: row.user_id, issuer: row.issuer, subject: row.subject, linkedAt: row.linked_at, firstSignInAt: row.first_sign_in_at };
}

/** Idempotent: the same link again is `unchanged`; a different one is refused, never overwritten. */
export function writeIdentityLink(db: EngageDb, userId: string, identity: ImsIdentity, now: Date): WriteLinkOutcome {
  return db.transaction(() => {
    const user = getUser(db, userId);
    if (!user) return 'not_found';
    const existing = getIdentityLink(db, userId);
    if (existing) return existing.issuer === identity.issuer && existing.subject === identity.subject ? 'unchanged' : 'user_linked_elsewhere';
    const taken = db.sqlite.prepare('SELECT user_id FROM identity_links WHERE subscription_id = ? AND issuer = ? AND subject = ?')
      .get(user.subscriptionId, identity.issuer, identity.subject);
    if (taken) return 'identity_taken';
    db.sqlite.prepare('INSERT INTO identity_links (user_id, subscription_id, issuer, subject, linked_at) VALUES (?, ?, ?, ?, ?)')
      .run(userId, user.subscriptionId, identity.issuer, identity.subject, now.toISOString());
    return 'created';
  });
}

export function removeIdentityLink(db: EngageDb, userId: string): boolean {
  return Number(db.sqlite.prepare('DELETE FROM identity_links WHERE user_id = ?').run(userId).changes) === 1;
}

/**
 * The kit's LinkStore over Engage's tables. The login context is the instance the person started from; without
 * one (the new shell at `/`), the oldest link of the identity wins.
 */
export function engageLinkStore(db: EngageDb, now: () => Date): LinkStore {
  return {
    async findLinkedUser(identity, context) {
      const subscription = context ? findSubscriptionByInstance(db, context) : undefined;
      const row = db.sqlite.prepare(`SELECT l.user_id FROM identity_links l JOIN users u ON u.id = l.user_id
        WHERE l.issuer = ? AND l.subject = ? AND (? IS NULL OR l.subscription_id = ?) ORDER BY l.linked_at, l.user_id LIMIT 1`)
        .get(identity.issuer, identity.subject, subscription?.id ?? null, subscription?.id ?? null) as { user_id: string } | undefined;
      return row?.user_id;
    },
    async whoToAsk(context) {
      const subscription = context ? findSubscriptionByInstance(db, context) : undefined;
      return subscription ? adminContacts(db, subscription.id) : [];
    },
    async recordSignIn(userId) {
      // Only the first IMS sign-in writes: later ones change no row, so they cost no commit.
      db.sqlite.prepare('UPDATE identity_links SET first_sign_in_at = ? WHERE user_id = ? AND first_sign_in_at IS NULL').run(now().toISOString(), userId);
    },
  };
}

/** The kit's CutoverStore over Engage's tables, in one SQLite transaction. */
export function engageCutoverStore(db: EngageDb): CutoverStore {
  return {
    async describeUser(userId) {
      const user = getUser(db, userId);
      return user && { apiOnly: user.apiOnly || user.loginMode === 'api_only', linked: getIdentityLink(db, userId) !== undefined };
    },
    async setLoginMode(userId, mode) {
      setLoginMode(db, userId, mode);
    },
    async revokeLegacySessions(userId) {
      return revokePasswordSessions(db, userId);
    },
    async dropPendingAccountTokens(userId) {
      return dropAccountTokens(db, userId);
    },
    transaction: (work) => db.transactionAsync(work),
  };
}
