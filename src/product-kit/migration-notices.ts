/**
 * How a product learns a subscription's move: it asks Rehome's public notice, `GET <rehome>/help/<subscription>/
 * notice.json` (the facts of the "What changes for me" page, no user data), and keeps the answer for a few minutes.
 * Only the banner depends on it: sign-in never does, and when Rehome cannot be reached the product shows the last
 * notice it had, or none, and carries on.
 */

/** Where the move stands, as people are told: see the help page. */
export type NoticePhase = 'not_announced' | 'announced' | 'moving' | 'moved';

/** The notice as Rehome serves it (the fields the kit reads). */
export interface MigrationNotice {
  subscriptionId: string;
  subscriptionName: string;
  phase: NoticePhase;
  /** YYYY-MM-DD in the subscription's time zone. */
  migrationDate: string | null;
  startsAt: string | null;
  timeZone: string;
  /** "Sunday, 13 December 2026", in the subscription's zone. */
  dateText: string | null;
  startText: string | null;
  /** The subscription's "What changes for me" page. */
  helpUrl: string;
  /** The identity system's name, e.g. "Acme ID". */
  imsName: string;
  /** The sign-in button, e.g. "Continue with Acme ID". */
  brandText: string;
  /** Where the product lives after the move. */
  productUrl: string | null;
}

export interface MigrationNoticesOptions {
  /** Rehome's public URL, e.g. `https://rehome.example`. */
  rehomeUrl: string;
  /** How long an answer is kept (default 300 s; a moved subscription's, a day). */
  ttlSeconds?: number;
  /** Per request (default 1500 ms): a slow Rehome must not slow the product's pages. */
  timeoutMs?: number;
  /** Injected fetch (proxies, tests). */
  fetch?: typeof fetch;
  /** Injected clock in milliseconds. */
  now?: () => number;
}

export interface MigrationNotices {
  /** The subscription's notice, or undefined (unknown to Rehome, or Rehome never answered). Never throws. */
  get(subscriptionId: string): Promise<MigrationNotice | undefined>;
}

interface Entry {
  notice: MigrationNotice | undefined;
  /** When to ask again (ms). */
  until: number;
  pending?: Promise<MigrationNotice | undefined>;
}

const MOVED_TTL_SECONDS = 24 * 3600;
/** A failed request is retried after this long, so a down Rehome is not asked on every page view. */
const RETRY_SECONDS = 60;
const MAX_ENTRIES = 1000;

export function createMigrationNotices(options: MigrationNoticesOptions): MigrationNotices {
  const base = options.rehomeUrl.replace(/\/+$/, '');
  const ttl = (options.ttlSeconds ?? 300) * 1000;
  const timeout = options.timeoutMs ?? 1500;
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const cache = new Map<string, Entry>();

  const load = async (subscriptionId: string): Promise<{ notice: MigrationNotice | undefined; keepMs: number } | undefined> => {
    try {
      const r = await doFetch(`${base}/help/${encodeURIComponent(subscriptionId)}/notice.json`, { signal: AbortSignal.timeout(timeout), headers: { accept: 'application/json' } });
      if (r.status === 404) return { notice: undefined, keepMs: ttl };
      if (!r.ok) return undefined;
      const notice = readNotice(await r.json());
      if (!notice) return undefined;
      return { notice, keepMs: notice.phase === 'moved' ? MOVED_TTL_SECONDS * 1000 : ttl };
    } catch {
      return undefined;
    }
  };

  return {
    async get(subscriptionId) {
      const at = now();
      const entry = cache.get(subscriptionId);
      if (entry && at < entry.until) return entry.notice;
      if (entry?.pending) return entry.pending;
      if (!entry && cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
      const next: Entry = entry ?? { notice: undefined, until: 0 };
      next.pending = load(subscriptionId).then((got) => {
        // On failure the last answer stays (a banner does not flicker away while Rehome restarts).
        if (got) next.notice = got.notice;
        next.until = now() + (got ? got.keepMs : RETRY_SECONDS * 1000);
        delete next.pending;
        return next.notice;
      });
      cache.set(subscriptionId, next);
      return next.pending;
    },
  };
}

const PHASES: ReadonlySet<string> = new Set(['not_announced', 'announced', 'moving', 'moved']);

/** The answer, checked field by field: a product must not render what it cannot read. */
function readNotice(body: unknown): MigrationNotice | undefined {
  const b = body as Partial<Record<keyof MigrationNotice, unknown>> | null;
  const text = (v: unknown) => typeof v === 'string';
  const maybe = (v: unknown) => v === null || typeof v === 'string';
  if (!b || !text(b.subscriptionId) || !text(b.subscriptionName) || !PHASES.has(b.phase as string) || !text(b.timeZone)
    || !text(b.helpUrl) || !/^https?:\/\//.test(b.helpUrl as string) || !text(b.imsName) || !text(b.brandText)
    || ![b.migrationDate, b.startsAt, b.dateText, b.startText, b.productUrl].every(maybe)) return undefined;
  return {
    subscriptionId: b.subscriptionId as string, subscriptionName: b.subscriptionName as string, phase: b.phase as NoticePhase,
    migrationDate: b.migrationDate as string | null, startsAt: b.startsAt as string | null, timeZone: b.timeZone as string,
    dateText: b.dateText as string | null, startText: b.startText as string | null, helpUrl: b.helpUrl as string,
    imsName: b.imsName as string, brandText: b.brandText as string, productUrl: b.productUrl as string | null,
  };
}
