/**
 * The ports a product implements for the kit. They read and write the PRODUCT's own tables: sign-in never calls
 * Rehome (DESIGN.md "Who owns what after the move"), so Rehome can be switched off after the move.
 */

/** An IMS identity: the key a product user is linked to. Never the email (it can change, or be someone else's). */
export interface ImsIdentity {
  /** OpenID Connect `iss`. */
  issuer: string;
  /** OpenID Connect `sub`. */
  subject: string;
}

/** How the product lets a user in (see login-gate.ts). */
export type LoginMode = 'legacy' | 'ims' | 'api_only';

export interface LinkStore {
  /**
   * The product user linked to `identity`. `context` is what the product gave `startLogin` (e.g. the instance or
   * subscription the person started from): one IMS identity may be linked to a user in several subscriptions.
   */
  findLinkedUser(identity: ImsIdentity, context: string | undefined): Promise<string | undefined>;
  /**
   * Names (and addresses) of the people who can add a link: the subscription admins. Optional and unused by the
   * IMS sign-in: a person with no link is a stranger to the product and is never shown who the admins are.
   */
  whoToAsk?(context: string | undefined): Promise<string[]>;
  /** Called after each successful IMS sign-in (e.g. to record the first one: the user is "activated"). */
  recordSignIn?(userId: string, identity: ImsIdentity): Promise<void>;
}

export interface CutoverUserFacts {
  apiOnly: boolean;
  /** The user has an identity link (else cutting over would lock them out). */
  linked: boolean;
}

export interface CutoverStore {
  describeUser(userId: string): Promise<CutoverUserFacts | undefined>;
  setLoginMode(userId: string, mode: LoginMode): Promise<void>;
  /** Ends every session the user opened with the product's password; returns how many. */
  revokeLegacySessions(userId: string): Promise<number>;
  /** Deletes unused password-reset and email-change tokens; returns how many. */
  dropPendingAccountTokens(userId: string): Promise<number>;
  /** Runs the steps in one transaction, when the product's database can. */
  transaction?<T>(work: () => Promise<T>): Promise<T>;
}
