import { createHash, type Hash } from 'node:crypto';
import type { ImsDirectory, Subscription } from '../core/model.ts';
import { canonicalJson } from './canonical-json.ts';

/**
 * SHA-256 hex of `canonicalJson({ subscription, users, ims })`, fed piece by piece so a million users never sit in
 * memory as one string. Callers must feed in canonical key order: `ims` (accounts, then the rest of the
 * directory), then `subscription`, then `users`. Plans compare this digest to refuse a stale snapshot.
 */
export class SnapshotDigest {
  readonly #hash: Hash = createHash('sha256');
  #stage: 'start' | 'accounts' | 'users' | 'done' = 'start';
  #items = 0;

  #after = '';

  /** Opens the IMS directory's accounts; `imsRest` is the directory without `accounts`. */
  beginAccounts(imsRest: Omit<ImsDirectory, 'accounts'>): void {
    this.#expect('start');
    const before: string[] = [];
    const after: string[] = [];
    for (const key of Object.keys(imsRest).sort()) {
      const item = canonicalJson({ [key]: (imsRest as Record<string, unknown>)[key] }).slice(1, -1);
      if (item !== '') (key < 'accounts' ? before : after).push(item);
    }
    this.#after = after.map((item) => ',' + item).join('');
    this.#hash.update('{"ims":{' + before.map((item) => item + ',').join('') + '"accounts":[');
    this.#stage = 'accounts';
    this.#items = 0;
  }

  /** One item of the array being written, already as canonical JSON. */
  addItem(canonical: string): void {
    if (this.#stage !== 'accounts' && this.#stage !== 'users') throw new Error('SnapshotDigest: no open array');
    this.#hash.update(this.#items === 0 ? canonical : ',' + canonical);
    this.#items++;
  }

  /** Closes the accounts and the directory, writes the subscription, and opens the users. */
  beginUsers(subscription: Subscription): void {
    this.#expect('accounts');
    this.#hash.update(']' + this.#after + '},"subscription":' + canonicalJson(subscription) + ',"users":[');
    this.#stage = 'users';
    this.#items = 0;
  }

  finish(): string {
    this.#expect('users');
    this.#stage = 'done';
    return this.#hash.update(']}').digest('hex');
  }

  #expect(stage: 'start' | 'accounts' | 'users'): void {
    if (this.#stage !== stage) throw new Error(`SnapshotDigest: expected stage ${stage}, at ${this.#stage}`);
  }
}

/** The same digest computed in one go; for tests and small inputs. */
export function digestSnapshot(data: { subscription: Subscription; users: unknown[]; ims: ImsDirectory }): string {
  return createHash('sha256').update(canonicalJson({ subscription: data.subscription, users: data.users, ims: data.ims })).digest('hex');
}
