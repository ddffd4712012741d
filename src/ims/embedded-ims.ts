import type { Mailer } from '../mail/mailer.ts';
import { createOutboxMailer, type OutboxMailer } from '../mail/outbox-mailer.ts';
import { createSmtpMailer } from '../mail/smtp-mailer.ts';
import { createAccountService, type AccountService } from './accounts/account-service.ts';
import { accountMails } from './accounts/account-mails.ts';
import { createInvitationSender, type InvitationSender } from './accounts/invitations.ts';
import { createLoginThrottle } from './accounts/login-throttle.ts';
import { createRequestThrottle } from './accounts/request-throttle.ts';
import { createThrottleCounters } from './accounts/throttle-counters.ts';
import { createOneTimeLinks } from './accounts/one-time-links.ts';
import { isImsError, type ImsDirectoryService } from './directory/ims-directory.ts';
import { createStoreImsDirectory } from './directory/store-ims-directory.ts';
import { createSsoFlow } from './federation/sso-routes.ts';
import { createImsHandler, type ImsHandler } from './http/ims-handler.ts';
import type { ImsConfig } from './ims-config.ts';
import { imsDb, type ImsStoreHandle } from './ims-tables.ts';
import { createImsOidc, type ImsOidc } from './oidc/ims-oidc.ts';
import type { LegacyPasswordVerifier } from './passwords/password-strategy.ts';
import { createStrategyRegistry, type StrategyRegistry } from './passwords/strategy-registry.ts';

/** The embedded IMS, assembled: directory, OIDC provider, account flows, mailer and its HTTP handler. */
export interface EmbeddedIms extends AsyncDisposable {
  readonly config: ImsConfig;
  readonly directory: ImsDirectoryService;
  readonly oidc: ImsOidc;
  readonly accounts: AccountService;
  /** Invitations to set a password (the `invite` strategy). */
  readonly invitations: InvitationSender;
  /** Each migrated subscription's password strategy (the sign-in reads it for lazy migration). */
  readonly passwordStrategies: StrategyRegistry;
  readonly mailer: Mailer;
  /** The database outbox (always readable, also when mail goes out over SMTP). */
  readonly outbox: OutboxMailer;
  readonly handler: ImsHandler;
}

export interface EmbeddedImsOptions {
  store: ImsStoreHandle;
  /** The directory on `store`, when the embedder built it (to share one with its other parts); default: built here. */
  directory?: ImsDirectoryService;
  config: ImsConfig;
  mailer?: Mailer;
  /**
   * The product's check of legacy passwords, for subscriptions that run the `lazy` strategy (e.g.
   * `createRestPasswordVerifier`). Without it, accounts without a password sign in only after an invitation.
   */
  legacyPasswords?: LegacyPasswordVerifier;
  /**
   * Told of every completed sign-in through the IMS (password, SSO or an existing session), with the account's id;
   * the embedder records what it means for it (Rehome: the person's migration is activated). Must not throw.
   */
  onSignIn?: (accountId: string) => void;
  /**
   * Told of every refused password sign-in, with the refusal's code only (`invalid_credentials`, `throttled`,
   * `account_disabled`...): the embedder counts them (Rehome: its metrics). Must not throw.
   */
  onSignInFailed?: (code: string) => void;
  /** The clock of the throttles (tests move it past a window). Default: the system clock. */
  now?: () => Date;
}

export async function createEmbeddedIms(options: EmbeddedImsOptions): Promise<EmbeddedIms> {
  const { store, config } = options;
  const db = imsDb(store);
  const outbox = createOutboxMailer(store.kysely);
  const smtp = !options.mailer && config.smtp ? createSmtpMailer(store.kysely, config.smtp) : undefined;
  const mailer = options.mailer ?? smtp ?? outbox;
  const directory = options.directory ?? createStoreImsDirectory(store, {
    emailPolicy: { caseFoldLocalPart: config.caseFoldLocalPart },
    onSignUpsCancelled: async (cancelled) => {
      for (const a of cancelled) await mailer.send(accountMails.signUpCancelled({ to: a.email, product: config.productName, key: `ims:signup-cancelled:${a.id}` }));
    },
  });
  const oidc = await createImsOidc({ db, directory, config, ...(options.onSignIn ? { onSignIn: options.onSignIn } : {}) });
  const links = createOneTimeLinks(db, config.linkSecret, directory);
  const invitations = createInvitationSender({ directory, links, mailer, config });
  const passwordStrategies = createStrategyRegistry(store.kysely);
  const throttleCounters = createThrottleCounters(db, { secret: config.linkSecret, ...(options.now ? { now: options.now } : {}) });
  const accounts = reportFailedSignIns(createAccountService({
    directory,
    links,
    throttle: createLoginThrottle(throttleCounters, config.throttle),
    requestThrottle: createRequestThrottle(throttleCounters, config.requestLimits),
    mailer,
    config,
    revokeSessions: (accountId) => oidc.revokeAccount(accountId),
    invitations,
    ...(options.legacyPasswords ? { legacyPasswords: { verifier: options.legacyPasswords, strategies: passwordStrategies } } : {}),
  }), options.onSignInFailed);
  const sso = createSsoFlow({ config, directory, db, claimVerifiedAddress: accounts.claimVerifiedAddress, provider: () => oidc.provider });
  const handler = createImsHandler({ config, oidc, accounts, sso, ...(config.devOutbox ? { outbox } : {}) });
  return {
    config,
    directory,
    oidc,
    accounts,
    invitations,
    passwordStrategies,
    mailer,
    outbox,
    handler,
    async [Symbol.asyncDispose]() {
      smtp?.close();
    },
  };
}

/** The account service whose password sign-in tells `onFailed` the code of each refusal (the other flows unchanged). */
function reportFailedSignIns(accounts: AccountService, onFailed: ((code: string) => void) | undefined): AccountService {
  if (!onFailed) return accounts;
  return {
    ...accounts,
    async signIn(email, password, ip) {
      try {
        return await accounts.signIn(email, password, ip);
      } catch (error) {
        onFailed(isImsError(error) ? error.code : 'error');
        throw error;
      }
    },
  };
}
