/**
 * The product's banner about the move, decided from the notice (see migration-notices.ts). Pure: the product asks,
 * then renders the words in its own layout. Shown from the announcement until the person's account has moved;
 * dismissing it is remembered per browser, per subscription and date, so a new date shows it again.
 */
import type { MigrationNotice } from './migration-notices.ts';

export interface MigrationBanner {
  /** What a dismissal remembers: the subscription and its date. */
  key: string;
  phase: 'announced' | 'moving';
  /** One sentence: what happens when. */
  headline: string;
  /** One or two sentences: what to do. */
  todo: string;
  /** The subscription's "What changes for me" page. */
  helpUrl: string;
  helpText: string;
}

/** The cookie that remembers dismissed banners (HttpOnly is fine: the server decides). */
export const BANNER_COOKIE = 'rehome_banner_dismissed';
const MAX_REMEMBERED = 8;

export interface BannerContext {
  /** The `BANNER_COOKIE` value of this browser, if any. */
  dismissed?: string | undefined;
  /** This person's account already moved (the product's login mode is `ims`): nothing left to announce to them. */
  userMoved?: boolean;
}

export function migrationBanner(notice: MigrationNotice | undefined, context: BannerContext = {}): MigrationBanner | undefined {
  if (!notice || (notice.phase !== 'announced' && notice.phase !== 'moving') || !notice.dateText || context.userMoved) return undefined;
  const key = bannerKey(notice);
  if (dismissedKeys(context.dismissed).includes(key)) return undefined;
  const { subscriptionName: sub, imsName: ims, brandText: button } = notice;
  return notice.phase === 'announced'
    ? {
      key, phase: 'announced', helpUrl: notice.helpUrl, helpText: 'What changes for you',
      headline: `On ${notice.dateText}, ${sub} moves its sign-in to ${ims}.`,
      todo: `Before then, verify your email address if we mailed you a link. Afterwards, sign in with “${button}”.`,
    }
    : {
      key, phase: 'moving', helpUrl: notice.helpUrl, helpText: 'What changes for you',
      headline: `${sub} is moving its sign-in to ${ims} (since ${notice.dateText}).`,
      todo: `When your account has moved you get a mail; from then on sign in with “${button}”. You may be signed out once.`,
    };
}

export function bannerKey(notice: Pick<MigrationNotice, 'subscriptionId' | 'migrationDate'>): string {
  return `${notice.subscriptionId}~${notice.migrationDate ?? ''}`;
}

/** The keys a `BANNER_COOKIE` value holds (cookie-safe: each key URI-encoded, so a `|` between them is never inside one). */
export function dismissedKeys(cookie: string | undefined): string[] {
  if (!cookie) return [];
  return cookie.split('|').flatMap((part) => {
    try {
      return part ? [decodeURIComponent(part)] : [];
    } catch {
      return [];
    }
  });
}

/**
 * The `Set-Cookie` header value that remembers one more dismissed banner (the newest few are kept). It lasts a year:
 * a banner is shown for at most a few weeks, and a new date makes a new key.
 */
export function dismissBannerCookie(key: string, current: string | undefined, options: { secure: boolean; path?: string }): string {
  const keys = [...dismissedKeys(current).filter((k) => k !== key), key].slice(-MAX_REMEMBERED);
  const value = keys.map(encodeURIComponent).join('|');
  return `${BANNER_COOKIE}=${value}; Path=${options.path ?? '/'}; Max-Age=${365 * 86400}; HttpOnly; SameSite=Lax${options.secure ? '; Secure' : ''}`;
}
