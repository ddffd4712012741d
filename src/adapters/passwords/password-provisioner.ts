import type { Kysely } from 'kysely';
import type { ProductUser } from '../../core/model.ts';
import { createStoreInvitationSender, type InvitationSender } from '../../ims/accounts/invitations.ts';
import type { ImsDirectoryService } from '../../ims/directory/ims-directory.ts';
import { createStoreImsDirectory } from '../../ims/directory/store-ims-directory.ts';
import type { ImsConfig } from '../../ims/ims-config.ts';
import { hashOf, requirePassedHashImport, type HashImportReport } from '../../ims/passwords/hash-import-check.ts';
import { identifyHash } from '../../ims/passwords/legacy-hash.ts';
import { PasswordError } from '../../ims/passwords/password-error.ts';
import { createStrategyRegistry } from '../../ims/passwords/strategy-registry.ts';
import type { Mailer } from '../../mail/mailer.ts';
import type { StoreAdapter } from '../../store/open-store.ts';
import type { AccountReadyInput, EnginePasswordStrategy, PasswordOutcome, PasswordProvisioner } from '../../ports/engine-ports.ts';

export interface PasswordProvisionerOptions {
  /** Rehome's store: the migration record (plan, snapshot id) and the IMS's strategy table. */
  db: Kysely<any>;
  /** Which IdP the users move to. Hashes cannot be written and legacy passwords cannot be checked over SCIM. */
  idp: { kind: 'embedded'; directory: Pick<ImsDirectoryService, 'getAccount' | 'setPasswordHash'>; invitations: InvitationSender } | { kind: 'external' };
  /** The `--hash-sample` report; `import_hashes` is refused in phase 1 unless it passed. */
  hashCheck?: HashImportReport;
  /** The product users of a snapshot (for their `password_hash`), when `onAccountReady` is not given `attributes`. */
  loadSnapshotUsers?: (snapshotId: string) => Promise<readonly ProductUser[]>;
  actor?: string;
  now?: () => Date;
}

export interface PasswordProvisionerWithResend extends PasswordProvisioner {
  /** A new invitation link (the earlier ones stop working), mailed under a new key. */
  resendInvitation(input: { subscriptionId: string; userId: string; accountId: string }): Promise<PasswordOutcome>;
}

/**
 * The engine's password hook (EnginePorts.passwords): per subscription strategy, `invite` mails an invitation,
 * `import_hashes` stores the product's hash (people without one are invited), `lazy` does nothing now (the first
 * IMS sign-in asks the product). Only accounts without a password are touched; no email is ever marked verified.
 */
export function createPasswordProvisioner(options: PasswordProvisionerOptions): PasswordProvisionerWithResend {
  const registry = createStrategyRegistry(options.db, options.now);
  const strategies = new Map<string, Promise<EnginePasswordStrategy>>();
  const hashes = new Map<string, Promise<ReadonlyMap<string, string>>>();
  const actor = options.actor ?? 'engine';

  const checkSupported = (strategy: EnginePasswordStrategy): void => {
    if (options.idp.kind === 'external' && strategy !== 'invite') {
      throw new PasswordError('strategy_unsupported', strategy === 'import_hashes'
        ? 'import_hashes needs the embedded IMS: SCIM 2.0 has no portable way to write a password hash into an external IdP. Use invite, or import the hashes with the IdP\'s own tool.'
        : 'lazy needs the embedded IMS: an external IdP\'s sign-in cannot ask the product for a legacy password. Use invite, or the IdP\'s own password-import hook.');
    }
  };

  /** The strategy recorded in phase 1; else the plan's, recorded now (an engine run without the phase-1 hook). */
  const strategyOf = (subscriptionId: string): Promise<EnginePasswordStrategy> => {
    let found = strategies.get(subscriptionId);
    if (!found) {
      found = (async () => {
        const recorded = await registry.get(subscriptionId);
        if (recorded) return recorded.strategy;
        const m = await migrationRow(subscriptionId);
        const strategy = (JSON.parse(m.plan) as { passwordStrategy?: EnginePasswordStrategy }).passwordStrategy ?? 'invite';
        checkSupported(strategy);
        if (options.idp.kind === 'embedded' && m.org_id) await registry.set({ subscriptionId, orgId: m.org_id, strategy, actor });
        return strategy;
      })();
      strategies.set(subscriptionId, found);
      found.catch(() => strategies.delete(subscriptionId));
    }
    return found;
  };

  const migrationRow = async (subscriptionId: string) => {
    const m = await options.db.selectFrom('mig_subscriptions').select(['org_id', 'snapshot_id'])
      .where('subscription_id', '=', subscriptionId).executeTakeFirst() as { org_id: string | null; snapshot_id: string } | undefined;
    if (!m) throw new TypeError(`no migration for subscription ${subscriptionId}`);
    // The plan is stored apart from the migration row (migration 0017).
    const stored = await options.db.selectFrom('mig_plans').select('plan').where('subscription_id', '=', subscriptionId).executeTakeFirst() as { plan: string } | undefined;
    return { ...m, plan: stored?.plan ?? '{}' };
  };

  /** userId -> exported hash, read once per subscription from the snapshot the plan was made from. */
  const hashesOf = (subscriptionId: string): Promise<ReadonlyMap<string, string>> => {
    let found = hashes.get(subscriptionId);
    if (!found) {
      found = (async () => {
        if (!options.loadSnapshotUsers) return new Map();
        const users = await options.loadSnapshotUsers((await migrationRow(subscriptionId)).snapshot_id);
        return new Map(users.flatMap((u) => { const h = hashOf(u); return h === undefined ? [] : [[u.id, h] as const]; }));
      })();
      hashes.set(subscriptionId, found);
      found.catch(() => hashes.delete(subscriptionId));
    }
    return found;
  };

  const invite = async (idp: Extract<PasswordProvisionerOptions['idp'], { kind: 'embedded' }>, input: AccountReadyInput): Promise<PasswordOutcome> => {
    // One key per person and subscription: a resumed run never mails twice, and repeats the same live link.
    const sent = await idp.invitations.send(input.accountId, { key: () => `${input.subscriptionId}:invite:${input.userId}` });
    if (sent.status === 'not_needed') return { action: 'none', reason: sent.reason };
    return { action: sent.status === 'sent' ? 'invited' : 'invitation_already_sent' };
  };

  return {
    async prepareSubscription({ subscriptionId, orgId, strategy, actor: who }) {
      checkSupported(strategy);
      if (strategy === 'import_hashes') requirePassedHashImport(options.hashCheck);
      if (options.idp.kind === 'embedded') await registry.set({ subscriptionId, orgId, strategy, actor: who });
      strategies.set(subscriptionId, Promise.resolve(strategy));
    },

    async onAccountReady(input) {
      const strategy = input.strategy ?? await strategyOf(input.subscriptionId);
      checkSupported(strategy);
      const idp = options.idp;
      if (idp.kind === 'external') return { action: 'none', reason: 'external_idp' };
      if (strategy === 'lazy') return { action: 'lazy' };
      if (strategy === 'invite') return invite(idp, input);
      const account = await idp.directory.getAccount(input.accountId);
      if (!account) return { action: 'none', reason: 'not_found' };
      if (account.type === 'federated') return { action: 'none', reason: 'federated' };
      // Never overwrite a password the person already has (a linked account, or a resumed run that imported it).
      if (account.passwordHash) return { action: 'none', reason: 'has_password' };
      const hash = input.attributes ? hashOf({ attributes: input.attributes as Record<string, string> }) : (await hashesOf(input.subscriptionId)).get(input.userId);
      if (hash === undefined) return invite(idp, input);
      if (identifyHash(hash) === undefined) throw new PasswordError('hash_unsupported', `user ${input.userId}: the exported password hash is of no supported family`);
      // Only the hash: the address stays as unverified as it was (knowing a password proves nothing about a mailbox).
      await idp.directory.setPasswordHash(account.id, hash);
      return { action: 'hash_imported' };
    },

    async resendInvitation({ subscriptionId, userId, accountId }) {
      if (options.idp.kind === 'external') return { action: 'none', reason: 'external_idp' };
      const sent = await options.idp.invitations.resend(accountId, { key: (linkId) => `${subscriptionId}:invite:${userId}:${linkId}` });
      if (sent.status === 'not_needed') return { action: 'none', reason: sent.reason };
      return { action: 'invited' };
    },
  };
}

/** The provisioner for the embedded IMS on Rehome's own store (what `rehome migrate` uses). */
export function createEmbeddedPasswordProvisioner(options: { store: StoreAdapter; imsConfig: ImsConfig; mailer: Mailer; hashCheck?: HashImportReport; actor?: string }): PasswordProvisionerWithResend {
  const { store } = options;
  return createPasswordProvisioner({
    db: store.kysely,
    idp: { kind: 'embedded', directory: createStoreImsDirectory(store), invitations: createStoreInvitationSender({ store, config: options.imsConfig, mailer: options.mailer }) },
    loadSnapshotUsers: async (snapshotId) => (await store.loadSnapshot({ snapshotId }))?.users ?? [],
    ...(options.hashCheck ? { hashCheck: options.hashCheck } : {}),
    ...(options.actor ? { actor: options.actor } : {}),
  });
}
