/**
 * Who may sign in how, decided per user from the product's own data. Pure: the product asks, then acts.
 *
 * - Before a user's cutover (`legacy`), the product's password works, and "Continue with IMS" works once Rehome
 *   wrote the user's identity link.
 * - After it (`ims`), the password is refused with a message and a "Continue with IMS" button.
 * - API-only users keep their API credentials and never use the sign-in page.
 * - Once the whole subscription moved, users who were not migrated (still `legacy`) are refused with the names of
 *   the subscription admins, who can add them in the IMS.
 */
import type { LoginMode } from './link-store.ts';

export interface GateUser {
  loginMode: LoginMode;
  apiOnly: boolean;
  status: 'active' | 'invited' | 'deactivated';
  /** Locked, or access expired. */
  locked: boolean;
}

export interface GateContext {
  /** The subscription finished its move: user management lives in the IMS. */
  subscriptionMoved: boolean;
  /** The subscription admins, as the product names them ("Ada Lovelace <ada@acme.example>"). */
  admins: string[];
  /** The IMS button text, e.g. "Continue with IMS". */
  brandText: string;
}

export type LoginRefusal = 'use_ims' | 'api_only_user' | 'not_migrated' | 'inactive' | 'locked';

export type GateDecision =
  | { allowed: true }
  | {
    allowed: false;
    code: LoginRefusal;
    /** A sentence for the person at the sign-in page. */
    message: string;
    /** Show the "Continue with IMS" button next to the message. */
    offerIms: boolean;
    whoToAsk: string[];
  };

const ALLOWED: GateDecision = { allowed: true };

function refuse(code: LoginRefusal, message: string, offerIms = false, whoToAsk: string[] = []): GateDecision {
  return { allowed: false, code, message, offerIms, whoToAsk };
}

export function formatWhoToAsk(admins: string[]): string {
  if (admins.length === 0) return 'your subscription administrator';
  if (admins.length === 1) return admins[0]!;
  return `${admins.slice(0, -1).join(', ')} or ${admins.at(-1)}`;
}

/** May this user sign in with the product's own password? */
export function legacyLoginGate(user: GateUser, context: GateContext): GateDecision {
  if (user.apiOnly || user.loginMode === 'api_only') {
    return refuse('api_only_user', 'This is an API-only user: it has no sign-in. Use its API credentials (client id and secret).');
  }
  if (user.loginMode === 'ims') {
    return refuse('use_ims', `Your account has moved to the company sign-in. Choose "${context.brandText}" and sign in with your work email; your workspaces and roles are unchanged.`, true);
  }
  if (context.subscriptionMoved) {
    return refuse('not_migrated', `Your account was not moved to the company sign-in. Ask ${formatWhoToAsk(context.admins)} to add you.`, false, context.admins);
  }
  if (user.status !== 'active') {
    return refuse('inactive', user.status === 'invited' ? 'Accept your invitation first: use the link in the invitation email.' : 'This account is deactivated.');
  }
  if (user.locked) return refuse('locked', `This account is locked. Ask ${formatWhoToAsk(context.admins)} to unlock it.`, false, context.admins);
  return ALLOWED;
}

/** May this user exchange API credentials for a token? Only API-only users hold them; the move changes nothing. */
export function apiCredentialGate(user: GateUser): GateDecision {
  if (!(user.apiOnly || user.loginMode === 'api_only')) return refuse('use_ims', 'Only API-only users have API credentials.');
  if (user.status !== 'active') return refuse('inactive', 'This API user is deactivated.');
  if (user.locked) return refuse('locked', 'This API user is locked.');
  return ALLOWED;
}

export type ManagementDecision = { allowed: true } | { allowed: false; code: 'managed_in_ims'; message: string };

/**
 * May the product's own user management (invite, edit email or name, reset password, delete) change this user?
 * After the move only API-only users; everyone else is managed in the IMS. Roles, workspaces and partitions are
 * not user management in this sense: they stay in the product.
 */
export function userManagementGate(target: { apiOnly: boolean; loginMode: LoginMode }, context: { subscriptionMoved: boolean }): ManagementDecision {
  if (target.apiOnly || target.loginMode === 'api_only') return { allowed: true };
  if (context.subscriptionMoved || target.loginMode === 'ims') {
    return { allowed: false, code: 'managed_in_ims', message: 'This user is managed in the IMS now: change their account there. Roles and workspaces are still edited here.' };
  }
  return { allowed: true };
}
