import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig } from '../../src/config/config.ts';
import { readProductUsers } from '../../src/importers/product-users.ts';
import { readImsDirectory } from '../../src/importers/ims-directory.ts';
import { readSubscription } from '../../src/importers/subscription.ts';
import { planMigration } from '../../src/core/migration/plan-migration.ts';
import { addDays, localDate } from '../../src/core/migration/schedule.ts';
import { applyProductPhase } from '../../src/engine/product-phase.ts';
import { scheduleMigration } from '../../src/engine/admin-actions.ts';
import { embeddedEnginePorts } from '../support/embedded-engine.ts';
import { openStore } from '../../src/app/rehome-store.ts';
import { seedDirectoryFromExport } from '../../src/ims/seed-directory.ts';
import { createStoreImsDirectory } from '../../src/ims/directory/store-ims-directory.ts';
import { createOutboxMailer } from '../../src/mail/outbox-mailer.ts';
import { commsCommand } from '../../src/cli/commands/comms.ts';
import type { CliIo } from '../../src/cli/main.ts';

const ex = (f: string) => new URL(`../../examples/acme/${f}`, import.meta.url).pathname;
const NOW = new Date('2026-11-25T12:00:00Z');
const SUB = '123-ABC-456';

test('rehome comms: preview, dry run, send what is due (outbox), verify; a repeated send mails nobody twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehome-comms-cli-'));
  try {
    const db = join(dir, 'rehome.db');
    {
      await using store = await openStore({ kind: 'sqlite', path: db });
      const sub = readSubscription(ex('subscription.json'));
      const accounts = readImsDirectory(ex('ims-directory.csv'), { claimedDomains: sub.imsOrg.claimedDomains });
      const ref = await store.saveSnapshot({ subscription: sub, users: readProductUsers(ex('users.csv')), ims: { accounts }, sources: {}, at: NOW.toISOString() });
      await seedDirectoryFromExport(createStoreImsDirectory(store), accounts, sub.imsOrg);
      const plan = planMigration({ snapshot: (await store.loadSnapshot({ snapshotId: ref.id }))!, passwordStrategy: 'invite', orgExists: true });
      plan.prerequisites = plan.prerequisites.filter((x) => x.code !== 'sso_not_configured');
      const ports = embeddedEnginePorts({ store, orgId: sub.imsOrg.id, issuer: 'http://127.0.0.1:4000/ims', actor: 'test', now: () => NOW });
      await applyProductPhase(plan, ports, { consent: true });
      await scheduleMigration(ports, SUB, addDays(localDate(NOW, plan.timeZone), 12));
    }
    let out = '';
    let err = '';
    const io: CliIo = { out: (t) => { out += t; }, err: (t) => { err += t; }, isTTY: false, actor: 'cli:test', now: () => NOW };
    const run = async (positionals: string[], values: Record<string, string | boolean | string[]>, productUrl = 'https://app.acme.example') => {
      out = ''; err = '';
      const config = buildConfig({ flags: { 'store.path': db, ...(productUrl ? { 'comms.productUrl': productUrl } : {}) } });
      return commsCommand.run({ positionals, values: { subscription: SUB, ...values }, config, io });
    };

    assert.equal(await run(['preview'], { template: 'announcement', user: '1001' }), 0);
    assert.match(out, /^Template: announcement \(default\)\nTo: ada\.hopper1@acme\.example \(user 1001\)\nSubject: Acme Marketing \(production\): sign-in moves to IMS on /);
    assert.match(out, /What stays the same/);
    assert.equal(await run(['preview'], { template: 'after_migration', html: true }, ''), 0);
    assert.match(out, /^<!doctype html>/);
    assert.match(err, /\{\{product_url\}\} has no value/);

    assert.equal(await run(['send'], { due: true, 'dry-run': true }), 0);
    assert.match(out, /^dry run: nothing sent\. \d+ mail\(s\) would go out/);
    assert.match(out, /announcement\s+\d+\n\s+verification\s+\d+/);
    await assert.rejects(run(['send'], { due: true }, ''), /comms\.productUrl[\s\S]*placeholder_missing/);

    assert.equal(await run(['send'], { due: true }), 3, 'two unusable addresses: exit 3, reported by user');
    assert.match(out, /failed: user 1010 \(announcement\): mail_invalid/);
    assert.match(out, /failed: user 1013 \(announcement\): mail_invalid/, 'a look-alike (mixed scripts) is never mailed');
    assert.equal(await run(['send'], { due: true }), 3);
    assert.match(out, /sent 0, already sent before 0, failed 2/, 'only the unusable addresses are tried again');

    assert.equal(await run(['verify'], { users: ['1022,1001'] }), 3);
    assert.match(out, /sent 1[\s\S]*outside the audience[\s\S]*1001/);
    await assert.rejects(run(['send'], { template: 'nope' }), /unknown template nope/);
    await assert.rejects(run(['send'], {}), /either --due .* or --template/);
    await assert.rejects(run(['shout'], {}), /preview\|send\|verify/);

    await using store = await openStore({ kind: 'sqlite', path: db });
    const mails = await createOutboxMailer(store.kysely).list({ to: 'ken.allen22@acme.example' });
    assert.deepEqual(mails.map((m) => m.key).sort(), [`comms:${SUB}:announcement:1022:2026-12-07`, `comms:${SUB}:verification:1022:1`, `comms:${SUB}:verification:1022:2`]);
    assert.match(mails.find((m) => m.key.endsWith(':1'))!.text, /http:\/\/127\.0\.0\.1:4000\/verify-email\?token=/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
