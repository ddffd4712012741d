import type { Mailer } from '../../mail/mailer.ts';
import type { ImsAccountRecord, ImsDirectoryService } from '../directory/ims-directory.ts';
import { createStoreImsDirectory } from '../directory/store-ims-directory.ts';
import type { ImsConfig } from '../ims-config.ts';
import { imsDb, type ImsStoreHandle } from '../ims-tables.ts';
import { accountMails } from './account-mails.ts';
import { createOneTimeLinks, type OneTimeLinks } from './one-time-links.ts';
import { accountSubscription, defaultProduct, helpPageFor } from './product-context.ts';

/** How long an invitation link works (7 days: people are away; an expired one is replaced through "Forgot your password?"). */
export const INVITATION_TTL_SECONDS = 7 * 24 * 3600;

export interface InvitationSenderDeps {
  directory: Pick<ImsDirectoryService, 'getAccount' | 'listMemberships' | 'listProfiles' | 'getProfile'>;
  links: OneTimeLinks;
  mailer: Mailer;
  config: Pick<ImsConfig, 'baseUrl' | 'productName' | 'brandText' | 'clients' | 'helpPagePath'>;
  ttlSeconds?: number;
}

export type InvitationOutcome =
  | { status: 'sent' | 'duplicate'; linkId: string }
  | { status: 'not_needed'; reason: InvitationSkipReason };

/** Why nobody is invited: the account has a password, signs in upstream, is disabled, or is gone. */
export type InvitationSkipReason = 'has_password' | 'federated' | 'disabled' | 'not_found';

export interface SendInvitationOptions {
  /**
   * Mail idempotency key for the link's id (default `ims:invite:<link id>`). The engine passes
   * `() => '<subscription>:invite:<user>'`, so a resumed run never mails the same person twice.
   */
  key?: (linkId: string) => string;
  /**
   * The product subscription the invitation is for, so the mail can name it and link its help page. Without it, a
   * key of the engine's form (`<subscription>:invite:<user>`) names it; else the account's profile memberships.
   */
  subscriptionId?: string;
}

/** The subscription a key of the engine's form names (`<subscription>:invite:<user>[:<link>]`). */
export function subscriptionOfKey(key: string | undefined): string | undefined {
  const m = key ? /^([^:]+):invite:/.exec(key) : null;
  return m && m[1] !== 'ims' ? m[1] : undefined;
}

/**
 * Invitations to set a password: a mailed, signed, expiring, single-use link to `/ims/account/invite`. Accepting one
 * proves control of the mailbox, so it also verifies the address (see `AccountService.acceptInvitation`).
 * Only accounts that can use a password and have none are invited.
 */
export function createInvitationSender(deps: InvitationSenderDeps) {
  const { directory, links, mailer, config } = deps;
  const ttl = deps.ttlSeconds ?? INVITATION_TTL_SECONDS;

  const mail = async (account: ImsAccountRecord, link: { id: string; token: string }, options: SendInvitationOptions): Promise<InvitationOutcome> => {
    const key = options.key ? options.key(link.id) : `ims:invite:${link.id}`;
    const subscription = await accountSubscription(directory, account.id, options.subscriptionId ?? subscriptionOfKey(key));
    const result = await mailer.send(accountMails.invitation({
      to: account.email,
      imsName: config.productName,
      link: `${config.baseUrl}/ims/account/invite?token=${link.token}`,
      key,
      days: Math.max(1, Math.round(ttl / 86400)),
      signInHint: config.brandText,
      product: defaultProduct(config),
      subscription,
      helpUrl: subscription && helpPageFor(config, subscription.id),
    }));
    return { status: result.status, linkId: link.id };
  };

  return {
    /**
     * Mails the account's live invitation, issuing one when there is none. Repeating the call (a resumed run)
     * mails the same link under the same key, so the mailer drops the repeat and the first mail's link stays valid.
     */
    async send(accountId: string, options: SendInvitationOptions = {}): Promise<InvitationOutcome> {
      const account = await directory.getAccount(accountId);
      const skip = reasonNotToInvite(account);
      if (skip) return { status: 'not_needed', reason: skip };
      const live = await links.findLive(account!.id, 'invite');
      const link = live && live.email === account!.email ? live : await links.issue('invite', account!.id, account!.email, ttl);
      return mail(account!, link, options);
    },

    /** A new link; every earlier invitation of the account stops working. */
    async resend(accountId: string, options: SendInvitationOptions = {}): Promise<InvitationOutcome> {
      const account = await directory.getAccount(accountId);
      const skip = reasonNotToInvite(account);
      if (skip) return { status: 'not_needed', reason: skip };
      await links.revokeForAccount(account!.id, 'invite');
      return mail(account!, await links.issue('invite', account!.id, account!.email, ttl), options);
    },
  };
}

export type InvitationSender = ReturnType<typeof createInvitationSender>;

export function reasonNotToInvite(account: ImsAccountRecord | undefined): InvitationSkipReason | undefined {
  if (!account) return 'not_found';
  if (account.type === 'federated') return 'federated';
  if (account.status !== 'active') return 'disabled';
  if (account.passwordHash) return 'has_password';
  return undefined;
}

/** An invitation sender on Rehome's store, for processes that do not serve the IMS (the CLI's `rehome migrate`). */
export function createStoreInvitationSender(options: { store: ImsStoreHandle; config: ImsConfig; mailer: Mailer; ttlSeconds?: number }): InvitationSender {
  const directory = createStoreImsDirectory(options.store, { emailPolicy: { caseFoldLocalPart: options.config.caseFoldLocalPart } });
  return createInvitationSender({
    directory,
    links: createOneTimeLinks(imsDb(options.store), options.config.linkSecret, directory),
    mailer: options.mailer,
    config: options.config,
    ...(options.ttlSeconds === undefined ? {} : { ttlSeconds: options.ttlSeconds }),
  });
}
