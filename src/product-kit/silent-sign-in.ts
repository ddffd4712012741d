/**
 * "Without an extra click": a person already signed in to the IMS who opens the product (an old bookmark, the new
 * address) is signed in by a `prompt=none` round trip instead of pressing "Continue with IMS" (OIDC Core 3.1.2.1).
 * Pure rules; the product starts it with `startLogin({ silent: true })` and, when it fails, shows its sign-in page.
 */
import type { NoticePhase } from './migration-notices.ts';

/** Set when a silent attempt starts and when the person signs out; lives until the browser closes. */
export const SILENT_COOKIE = 'rehome_silent_sign_in';

export interface SilentSignInInput {
  /** The product has the IMS sign-in configured. */
  imsConfigured: boolean;
  /** The `SILENT_COOKIE` value of this browser. */
  cookie: string | undefined;
  /**
   * The subscription's move as Rehome announces it, or `moved` when the product knows it finished (its
   * subscription cutover). Undefined for a page that serves no one subscription (the new address), where every
   * account is an IMS one.
   */
  phase?: NoticePhase | undefined;
  /** The page serves one subscription (an old address) rather than the new, IMS-only address. */
  forSubscription: boolean;
}

/**
 * May the sign-in page try? Only with the IMS configured; only once per browser session (a person without an IMS
 * session comes back to the page, which must not loop), never after a sign-out (it would sign them straight back
 * in); and on a subscription's old address only once its move has begun (before, nobody there has an IMS link).
 */
export function silentSignInAllowed(input: SilentSignInInput): boolean {
  if (!input.imsConfigured || input.cookie !== undefined) return false;
  if (!input.forSubscription) return true;
  return input.phase === 'moving' || input.phase === 'moved';
}

/** The `Set-Cookie` value that marks this browser's session as tried (or signed out). */
export function silentSignInCookie(options: { secure: boolean; path?: string }): string {
  return `${SILENT_COOKIE}=1; Path=${options.path ?? '/'}; HttpOnly; SameSite=Lax${options.secure ? '; Secure' : ''}`;
}
