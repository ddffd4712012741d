import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import type { ImsAccount, ImsDirectory, ProductUser, Subscription } from '../../src/core/model.ts';
import type { ReadinessReport } from '../../src/core/readiness/report.ts';
import { migrations } from '../../src/app/schema-migrations.ts';
import { openStoreWithoutMigrating, type StoreAdapter, type StoreOptions } from '../../src/app/rehome-store.ts';
import { digestSnapshot } from '../../src/store/snapshot-digest.ts';
import type { MigrationResult, SnapshotInput } from '../../src/store/store.ts';

export interface StoreFixture {
  /** A migrated store on a database of its own. */
  store: StoreAdapter;
  /** Closes every store the fixture opened and removes every database it made. */
  cleanup(): Promise<void>;
  /** Runs openStore again on the store's database, as a second process would. */
  reopen(): Promise<StoreAdapter>;
  /** Options of another, empty database (not migrated), removed by cleanup. */
  emptyDatabase(): Promise<StoreOptions>;
}

const STORE_MODULE = fileURLToPath(new URL('../../src/app/rehome-store.ts', import.meta.url));

/** The Store port's behaviour, run against each adapter (store-sqlite.test.ts, store-postgres.test.ts). */
export function runStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`Store contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: StoreAdapter;
    const opened: StoreAdapter[] = [];

    before(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });
    after(async () => {
      for (const other of opened) await other[Symbol.asyncDispose]();
      await fixture.cleanup();
    });

    async function fresh(): Promise<StoreAdapter> {
      const other = await openStoreWithoutMigrating(await fixture.emptyDatabase());
      opened.push(other);
      return other;
    }

    async function count(db: StoreAdapter, table: string): Promise<number> {
      const row = await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    }

    test('migrate applies every migration once, then has nothing to do', async () => {
      const empty = await fresh();
      const first = await empty.migrate();
      assert.deepEqual(first, migrations.map((m): MigrationResult => ({ name: m.name, status: 'applied' })));
      assert.deepEqual(await empty.migrate(), []);
      assert.deepEqual(await store.migrate(), []);
      const rows = await empty.kysely.selectFrom('rehome_migrations').select('name').orderBy('name').execute();
      assert.deepEqual(rows.map((row) => row.name), migrations.map((m) => m.name));
    });

    test('migrate from several processes at once applies each migration exactly once', async () => {
      const options = await fixture.emptyDatabase();
      const outputs = await Promise.all([1, 2, 3].map(() => migrateInChild(options)));
      const all = outputs.flat();
      assert.deepEqual(all.filter((r) => r.status !== 'applied'), []);
      assert.deepEqual(all.map((r) => r.name).sort(), migrations.map((m) => m.name).sort());
    });

    test('refuses a database migrated by newer code (store_newer_than_code)', async () => {
      const db = await fresh();
      await db.migrate();
      await db.kysely.insertInto('rehome_migrations').values({ name: '9999_from_the_future' }).execute();
      await assert.rejects(db.migrate(), { name: 'StoreError', code: 'store_newer_than_code' });
      await store.kysely.insertInto('rehome_migrations').values({ name: '9999_from_the_future' }).execute();
      try {
        await assert.rejects(fixture.reopen(), { name: 'StoreError', code: 'store_newer_than_code' });
      } finally {
        await store.kysely.deleteFrom('rehome_migrations').where('name', '=', '9999_from_the_future').execute();
      }
    });

    test('a snapshot round-trips: users, IMS directory, subscription and sources deep-equal', async () => {
      const input = snapshotInput('sub-roundtrip', '2024-05-01T10:00:00.000Z', sampleUsers(), sampleAccounts());
      const ref = await store.saveSnapshot(input);
      assert.match(ref.id, /^[0-9a-f-]{36}$/);
      assert.deepEqual(
        { subscriptionId: ref.subscriptionId, at: ref.at, userCount: ref.userCount, imsAccountCount: ref.imsAccountCount },
        { subscriptionId: 'sub-roundtrip', at: input.at, userCount: input.users.length, imsAccountCount: input.ims.accounts.length },
      );
      assert.equal(ref.digest, digestSnapshot(input));
      const loaded = await store.loadSnapshot({ snapshotId: ref.id });
      assert.ok(loaded);
      assert.deepEqual(loaded, { ...ref, subscription: input.subscription, users: input.users, ims: input.ims, sources: input.sources });
    });

    test('an empty snapshot round-trips and instants are normalised to toISOString form', async () => {
      const input = { ...snapshotInput('sub-empty', '2024-05-01T12:00:00+02:00', [], []), ims: { accounts: [] } };
      const ref = await store.saveSnapshot(input);
      assert.equal(ref.at, '2024-05-01T10:00:00.000Z');
      const loaded = await store.loadSnapshot({ snapshotId: ref.id });
      assert.deepEqual(loaded?.users, []);
      assert.deepEqual(loaded?.ims, { accounts: [] });
      await assert.rejects(store.saveSnapshot({ ...input, at: 'yesterday' }), { code: 'invalid_input' });
    });

    test('loadSnapshot by subscription returns the newest; listSnapshots is newest first', async () => {
      const save = (sub: string, at: string) => store.saveSnapshot(snapshotInput(sub, at, sampleUsers().slice(0, 2), []));
      const a = await save('sub-latest', '2024-01-01T00:00:00.000Z');
      const b = await save('sub-latest', '2024-03-01T00:00:00.000Z');
      const c = await save('sub-other', '2024-04-01T00:00:00.000Z');
      const older = await save('sub-latest', '2023-12-01T00:00:00.000Z');
      const tie = await save('sub-latest', '2024-03-01T00:00:00.000Z');
      assert.equal((await store.loadSnapshot({ subscriptionId: 'sub-latest' }))?.id, tie.id, 'same instant: the later save wins');
      assert.equal((await store.loadSnapshot({ subscriptionId: 'sub-other' }))?.id, c.id);
      assert.equal(await store.loadSnapshot({ subscriptionId: 'sub-missing' }), undefined);
      assert.equal(await store.loadSnapshot({ snapshotId: 'no-such-snapshot' }), undefined);
      assert.deepEqual(await store.listSnapshots('sub-latest'), [tie, b, a, older]);
      const all = await store.listSnapshots();
      for (const ref of [a, b, c, older, tie]) assert.ok(all.some((r) => r.id === ref.id));
      assert.deepEqual(all.map((r) => r.at), all.map((r) => r.at).sort().reverse());
      // The subscriptions row follows the newest snapshot, not the last saved.
      const sub = await store.kysely.selectFrom('subscriptions').selectAll().where('id', '=', 'sub-latest').executeTakeFirstOrThrow();
      assert.equal(new Date(sub.updated_at as string).toISOString(), '2024-03-01T00:00:00.000Z');
    });

    test('the digest is stable for the same data and changes with it', async () => {
      const input = snapshotInput('sub-digest', '2024-05-01T10:00:00.000Z', sampleUsers(), sampleAccounts());
      const first = await store.saveSnapshot(input);
      const again = await store.saveSnapshot({ ...input, at: '2024-06-01T10:00:00.000Z', sources: { users: 'other.csv' } });
      assert.notEqual(again.id, first.id);
      assert.equal(again.digest, first.digest, 'time and sources are not part of the data');
      const reordered = await store.saveSnapshot({ ...input, users: input.users.map(reverseKeys) as ProductUser[] });
      assert.equal(reordered.digest, first.digest, 'key order does not matter');
      const changedUser = input.users.map((u, i) => (i === 1 ? { ...u, email: 'changed@example.com' } : u));
      const changed = await store.saveSnapshot({ ...input, users: changedUser });
      assert.notEqual(changed.digest, first.digest);
      assert.equal(changed.digest, digestSnapshot({ ...input, users: changedUser }));
      const otherIms = await store.saveSnapshot({ ...input, ims: { accounts: input.ims.accounts } });
      assert.notEqual(otherIms.digest, first.digest);
      const swapped = await store.saveSnapshot({ ...input, users: [...input.users].reverse() });
      assert.notEqual(swapped.digest, first.digest, 'user order is data');
    });

    test('a snapshot that fails midway stores nothing (rollback)', async () => {
      const db = await fresh();
      await db.migrate();
      const users = manyUsers(10_050);
      const duplicate = { ...users[0]!, email: 'dup@example.com' };
      await assert.rejects(
        db.saveSnapshot(snapshotInput('sub-rollback', '2024-05-01T10:00:00.000Z', [...users, duplicate], sampleAccounts())),
        { name: 'StoreError', code: 'snapshot_invalid' },
      );
      const broken = [...users.slice(0, 10_020), { ...users[10_020]!, id: 42 as unknown as string }, ...users.slice(10_021)];
      await assert.rejects(
        db.saveSnapshot(snapshotInput('sub-rollback', '2024-05-01T10:00:00.000Z', broken, sampleAccounts())),
        { name: 'StoreError', code: 'snapshot_invalid', message: /users\[10020\]\.id/ },
      );
      for (const table of ['subscriptions', 'snapshots', 'snapshot_users', 'snapshot_ims_accounts']) {
        assert.equal(await count(db, table), 0, `${table} is empty`);
      }
      const ok = await db.saveSnapshot(snapshotInput('sub-rollback', '2024-05-01T10:00:00.000Z', users, []));
      assert.equal(ok.userCount, 10_050);
      assert.equal((await db.loadSnapshot({ snapshotId: ok.id }))?.users.length, 10_050);
    });

    test('a readiness run round-trips with its snapshot ids in order', async () => {
      const s1 = await store.saveSnapshot(snapshotInput('sub-r1', '2024-05-01T10:00:00.000Z', sampleUsers(), []));
      const s2 = await store.saveSnapshot(snapshotInput('sub-r2', '2024-05-01T10:00:00.000Z', sampleUsers(), []));
      const report = sampleReport();
      const id = await store.saveReadinessRun({ snapshotIds: [s2.id, s1.id], report, at: '2024-05-02T08:00:00.000Z' });
      assert.deepEqual(await store.loadReadinessRun(id), { id, snapshotIds: [s2.id, s1.id], at: '2024-05-02T08:00:00.000Z', report });
      assert.equal(await store.loadReadinessRun('no-such-run'), undefined);
      const before = await count(store, 'readiness_runs');
      await assert.rejects(store.saveReadinessRun({ snapshotIds: [s1.id, 'missing'], report, at: '2024-05-02T08:00:00.000Z' }), {
        code: 'snapshot_not_found',
      });
      assert.equal(await count(store, 'readiness_runs'), before);
    });

    test('the audit log appends, lists in order and filters', async () => {
      const db = await fresh();
      await db.migrate();
      const e1 = await db.appendAudit({ at: '2024-05-01T10:00:00.000Z', actor: 'cli:ana', action: 'snapshot:imported', subscriptionId: 'sub-a', target: 'snap-1', details: { users: 3, file: 'usérs.csv' } });
      const e2 = await db.appendAudit({ at: '2024-05-01T10:01:00.000Z', actor: 'system', action: 'readiness:run' });
      const e3 = await db.appendAudit({ at: '2024-05-01T10:02:00.000Z', actor: 'admin:u1', action: 'user:skipped', subscriptionId: 'sub-a', target: 'u7', details: { reason: 'left the company' } });
      const e4 = await db.appendAudit({ at: '2024-05-01T10:03:00.000Z', actor: 'cli:ana', action: 'snapshot:imported', subscriptionId: 'sub-b' });
      assert.deepEqual(e1, { seq: e1.seq, at: '2024-05-01T10:00:00.000Z', actor: 'cli:ana', action: 'snapshot:imported', subscriptionId: 'sub-a', target: 'snap-1', details: { users: 3, file: 'usérs.csv' } });
      assert.deepEqual(e2, { seq: e2.seq, at: '2024-05-01T10:01:00.000Z', actor: 'system', action: 'readiness:run', subscriptionId: null, target: null, details: {} });
      assert.ok(e1.seq < e2.seq && e2.seq < e3.seq && e3.seq < e4.seq);
      assert.deepEqual(await db.listAudit(), [e1, e2, e3, e4]);
      assert.deepEqual(await db.listAudit({ subscriptionId: 'sub-a' }), [e1, e3]);
      assert.deepEqual(await db.listAudit({ action: 'snapshot:imported' }), [e1, e4]);
      assert.deepEqual(await db.listAudit({ actor: 'cli:ana', subscriptionId: 'sub-b' }), [e4]);
      assert.deepEqual(await db.listAudit({ sinceSeq: e2.seq }), [e3, e4]);
      assert.deepEqual(await db.listAudit({ sinceSeq: e1.seq, limit: 2 }), [e2, e3]);
      await assert.rejects(db.appendAudit({ at: '2024-05-01T10:00:00.000Z', actor: '', action: 'x:y' }), { code: 'invalid_input' });
    });

    test('the database itself refuses to update or delete audit entries', async () => {
      const entry = await store.appendAudit({ at: '2024-05-01T10:00:00.000Z', actor: 'system', action: 'test:immutable' });
      await assert.rejects(store.kysely.updateTable('audit_log').set({ actor: 'mallory' }).where('seq', '=', entry.seq).execute(), /append-only/);
      await assert.rejects(store.kysely.deleteFrom('audit_log').where('seq', '=', entry.seq).execute(), /append-only/);
      await assert.rejects(store.kysely.deleteFrom('audit_log').execute(), /append-only/);
      if (store.dialect === 'postgres') await assert.rejects(sql`truncate audit_log`.execute(store.kysely), /append-only/);
      assert.deepEqual(await store.listAudit({ action: 'test:immutable' }), [entry]);
    });

    test('a second openStore on the same database sees the data', async () => {
      const input = snapshotInput('sub-reopen', '2024-05-01T10:00:00.000Z', sampleUsers(), sampleAccounts());
      const ref = await store.saveSnapshot(input);
      const entry = await store.appendAudit({ at: '2024-05-01T10:00:00.000Z', actor: 'system', action: 'test:reopen', target: ref.id });
      const second = await fixture.reopen();
      try {
        assert.deepEqual(await second.migrate(), []);
        assert.deepEqual((await second.loadSnapshot({ subscriptionId: 'sub-reopen' }))?.users, input.users);
        assert.deepEqual(await second.listAudit({ action: 'test:reopen' }), [entry]);
        const written = await second.appendAudit({ at: '2024-05-01T10:05:00.000Z', actor: 'system', action: 'test:reopen' });
        assert.deepEqual(await store.listAudit({ action: 'test:reopen' }), [entry, written]);
      } finally {
        await second[Symbol.asyncDispose]();
      }
    });
  });
}

async function migrateInChild(options: StoreOptions): Promise<MigrationResult[]> {
  const script = `
    const { openStoreWithoutMigrating } = await import(${JSON.stringify(STORE_MODULE)});
    const store = await openStoreWithoutMigrating(${JSON.stringify(options)});
    try { console.log(JSON.stringify(await store.migrate())); } finally { await store[Symbol.asyncDispose](); }
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--no-warnings', '--input-type=module', '-e', script]);
  return JSON.parse(stdout) as MigrationResult[];
}

export function snapshotInput(
  subscriptionId: string,
  at: string,
  users: ProductUser[],
  accounts: ImsAccount[],
  domainsClaimedElsewhere: Record<string, string> | undefined = { 'partner.example': 'org-partner' },
): SnapshotInput {
  const subscription: Subscription = {
    id: subscriptionId,
    name: `Subscription ${subscriptionId}`,
    timeZone: 'America/Los_Angeles',
    admins: users.slice(0, 1).map((u) => u.id),
    imsOrg: { id: 'org-1', name: 'Acme Ørg', claimedDomains: ['example.com', 'xn--exmple-cua.com'], ssoConfigured: false },
  };
  const ims: ImsDirectory = domainsClaimedElsewhere === undefined ? { accounts } : { accounts, domainsClaimedElsewhere };
  return { subscription, users, ims, sources: { users: 'exports/users.csv', ims: 'exports/ims.csv' }, at };
}

function sampleUsers(): ProductUser[] {
  const base = manyUsers(1)[0]!;
  return [
    { ...base, id: 'u1', email: 'ana@example.com', login: 'ana', attributes: { department: 'Sales', 'Cost Center': '4711' } },
    { ...base, id: 'u2', email: 'zoë.müller@exämple.com', login: 'zoë', emailVerified: false, lastLogin: null, expiresAt: null, access: [] },
    { ...base, id: 'u3', email: '用户@例子.中国', firstName: '李', lastName: '小龍', status: 'invited', attributes: {} },
    { ...base, id: 'u4', email: 'ops+bot@example.com', apiOnly: true, sso: true, locked: true, status: 'deactivated',
      expiresAt: '2025-01-01T00:00:00.000Z', attributes: { note: 'quote " backslash \\ tab \t emoji 🚀 nul \u0000 end' } },
  ];
}

function sampleAccounts(): ImsAccount[] {
  const account: ImsAccount = {
    id: 'ims-1', type: 'enterprise', username: 'ana@example.com', domain: 'example.com', email: 'ana@example.com',
    emailVerified: true, firstName: 'Ana', lastName: 'Lima', countryCode: 'PT', status: 'active',
    productConfigurations: ['Marketing - Default'], adminRoles: [], attributes: {},
  };
  return [account, { ...account, id: '', type: 'federated', email: 'zoë.müller@exämple.com', status: 'disabled', adminRoles: ['system'], attributes: { extra: 'ü' } }];
}

export function manyUsers(n: number): ProductUser[] {
  const users: ProductUser[] = [];
  for (let i = 0; i < n; i++) {
    users.push({
      id: `user-${i}`, login: `user${i}`, email: `user${i}@example.com`, emailVerified: i % 3 !== 0,
      firstName: 'First', lastName: `Last${i}`, status: 'active', apiOnly: false, sso: i % 7 === 0,
      lastLogin: i % 2 === 0 ? '2024-04-01T10:00:00.000Z' : null,
      access: [{ workspace: 'Default', partition: `p${i % 5}`, role: i % 10 === 0 ? 'admin' : 'viewer' }],
      expiresAt: null, locked: false, attributes: i % 4 === 0 ? { region: 'EMEA' } : {},
    });
  }
  return users;
}

function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
}

function sampleReport(): ReadinessReport {
  return {
    version: 1,
    summary: {
      total: 1,
      byStatus: { eligible: 0, needs_email_verification: 1, stays_local: 0, not_migrated: 0, blocked: 0 },
      byReason: { email_unverified: 1 },
      admins: 0,
      adminsReady: true,
      adminsNotReady: [],
      emailVerification: { verified: 0, required: 1 },
      subscriptions: [{ id: 'sub-r1', name: 'R1', users: 1, blocked: 0, adminsReady: true }],
      warnings: 0,
    },
    users: [{
      id: 'u2', subscriptionId: 'sub-r1', email: 'zoë.müller@exämple.com', normalizedEmail: 'zoë.müller@xn--exmple-cua.com',
      status: 'needs_email_verification', admin: false, match: { kind: 'new' }, otherSubscriptions: [],
      reasons: [{ code: 'email_unverified', severity: 'warn', message: 'Email not verified.', fix: 'Ask the user to verify.' }],
    }],
  };
}
