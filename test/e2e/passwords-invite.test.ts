/**
 * Passwords, way 1 (`invite`): the engine's provisioner mails an invitation (real SMTP to a local smtp-server);
 * the link sets a password, verifies the address (squatters lose their claim) and the person signs in through the
 * OpenID Connect flow. Expired, reused and replaced links are refused; "Forgot your password?" renews one.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { simpleParser, type ParsedMail } from 'mailparser';
import * as oidc from 'openid-client';
import { SMTPServer } from 'smtp-server';
import { provisionOrgUser } from '../../src/ims/admin-api/provision-org-user.ts';
import { createInvitationSender } from '../../src/ims/accounts/invitations.ts';
import { createOneTimeLinks } from '../../src/ims/accounts/one-time-links.ts';
import { hashPassword } from '../../src/ims/accounts/passwords.ts';
import { imsDb } from '../../src/ims/ims-tables.ts';
import { createPasswordProvisioner, type PasswordProvisionerWithResend } from '../../src/adapters/passwords/password-provisioner.ts';
import type { RunningServer } from '../../src/server/http-server.ts';
import type { StoreAdapter } from '../../src/store/open-store.ts';
import { linkIn, readForm, TestBrowser } from './support/browser.ts';
import { discoverRp, signInAndGetTokens, signUp, startTestServer } from './support/ims-harness.ts';
import { sqliteTestDatabase, type TestDatabase } from './support/test-databases.ts';

const SUB = 'SUB-INVITE-1';
let database: TestDatabase;
let store: StoreAdapter;
let server: RunningServer;
let smtp: SMTPServer;
let orgId: string;
let provisioner: PasswordProvisionerWithResend;
const received: ParsedMail[] = [];

before(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => { received.push(mail); callback(); }, callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  database = sqliteTestDatabase('pwinvite');
  store = await database.open();
  server = await startTestServer(store, { smtp: { host: '127.0.0.1', port: smtpPort, from: '"IMS" <no-reply@ims.test>' } });
  orgId = (await server.ims.directory.createOrg({ name: 'Invite Corp' })).id;
  await server.ims.directory.claimDomain(orgId, 'corp.example', 'test:setup');
  provisioner = createPasswordProvisioner({ db: store.kysely, idp: { kind: 'embedded', directory: server.ims.directory, invitations: server.ims.invitations } });
  await provisioner.prepareSubscription({ subscriptionId: SUB, orgId, strategy: 'invite', actor: 'test' });
});

after(async () => {
  await server.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await store[Symbol.asyncDispose]();
  await database.drop();
});

/** The ims:account step of the engine: the org's provisioning rules, externalId = product user id. */
async function migrateAccount(userId: string, email: string, userName?: string) {
  const { account } = await provisionOrgUser(server.ims.directory, orgId, { email, externalId: userId, firstName: 'Test', ...(userName ? { userName } : {}) });
  return account;
}

const mailsTo = (to: string) => received.filter((m) => m.to && !Array.isArray(m.to) && m.to.text === to);
const inviteLinkIn = (mail: ParsedMail) => linkIn(mail.text ?? '', '/ims/account/invite');

async function acceptInvitation(browser: TestBrowser, link: string, password: string): Promise<Response> {
  const page = await browser.request(link);
  assert.equal(page.status, 200);
  const html = await page.text();
  const form = readForm(html);
  return browser.request(form.action, { form: { ...form.fields, password } });
}

test('invite: one mail per person (idempotency key), the link sets the password, verifies the address and the person signs in', async () => {
  const email = 'ann@corp.example';
  const account = await migrateAccount('u-1', email);
  assert.equal(account.type, 'enterprise');
  const first = await provisioner.onAccountReady({ subscriptionId: SUB, userId: 'u-1', email, accountId: account.id, created: true });
  assert.deepEqual(first, { action: 'invited' });
  // A resumed run repeats the hook: nobody is mailed twice, and the first mail's link stays valid.
  assert.deepEqual(await provisioner.onAccountReady({ subscriptionId: SUB, userId: 'u-1', email, accountId: account.id, created: false }), { action: 'invitation_already_sent' });
  const mails = mailsTo(email);
  assert.equal(mails.length, 1);
  assert.equal(mails[0]!.headers.get('x-rehome-key'), `${SUB}:invite:u-1`);
  assert.match(mails[0]!.subject ?? '', /Set your password/);
  assert.equal((await server.ims.directory.getAccount(account.id))!.emailVerified, false, 'sending an invitation verifies nothing');

  const browser = new TestBrowser(server.url);
  const link = inviteLinkIn(mails[0]!);
  const page = await browser.request(link);
  assert.match(await page.text(), /ann@corp\.example/);
  const tooShort = await acceptInvitation(browser, link, 'short');
  assert.equal(tooShort.status, 400, 'the password policy applies and the link survives');
  const accepted = await acceptInvitation(browser, link, 'a-new-password-1');
  assert.equal(accepted.status, 200, await accepted.clone().text());
  assert.match(await accepted.text(), /Password set/);

  const after = (await server.ims.directory.getAccount(account.id))!;
  assert.equal(after.emailVerified, true, 'the mailbox owner clicked the link');
  assert.match(after.passwordHash ?? '', /^\$argon2id\$/);

  const reused = await browser.request(link);
  assert.equal(reused.status, 400);
  assert.match(await reused.text(), /already used|replaced/);

  const rp = await discoverRp(server);
  const tokens = await signInAndGetTokens(rp, new TestBrowser(server.url), email, 'a-new-password-1');
  const claims = tokens.claims()!;
  assert.equal(claims.sub, account.id);
  assert.equal(claims.email_verified, true);
  const info = await oidc.fetchUserInfo(rp, tokens.access_token, account.id);
  assert.equal(info.email, email);
});

test('invite: accepting voids a squatter who signed up with the address first (pre-hijacking)', async () => {
  const email = 'victim@gmail.example';
  const squatterBrowser = new TestBrowser(server.url);
  await signUp(server, squatterBrowser, { email, password: 'squatter-password-1' });
  const squatter = (await server.ims.directory.findAccountsByEmail(email))[0]!;
  // The squatter holds the address as userName, so the engine provisions under another one.
  const account = await migrateAccount('u-2', email, `${SUB}.u-2`);
  assert.notEqual(account.id, squatter.id, 'an unverified sign-up is never linked');
  assert.equal(account.type, 'personal');
  assert.deepEqual(await provisioner.onAccountReady({ subscriptionId: SUB, userId: 'u-2', email, accountId: account.id, created: true }), { action: 'invited' });
  const accepted = await acceptInvitation(new TestBrowser(server.url), inviteLinkIn(mailsTo(email).at(-1)!), 'victims-password-1');
  assert.equal(accepted.status, 200);
  assert.equal(await server.ims.directory.getAccount(squatter.id), undefined, 'the squatting sign-up is gone');
  assert.equal((await server.ims.directory.getAccount(account.id))!.emailVerified, true);
});

test('invite: an expired link is refused; "Forgot your password?" mails a fresh invitation', async () => {
  const email = 'late@corp.example';
  const account = await migrateAccount('u-3', email);
  // An invitation issued two days ago with a one-day lifetime.
  const past = () => new Date(Date.now() - 2 * 86400_000);
  const oldSender = createInvitationSender({
    directory: server.ims.directory, links: createOneTimeLinks(imsDb(store), server.ims.config.linkSecret, server.ims.directory, past), mailer: server.ims.mailer, config: server.ims.config, ttlSeconds: 86400,
  });
  assert.equal((await oldSender.send(account.id)).status, 'sent');
  const browser = new TestBrowser(server.url);
  const expired = await browser.request(inviteLinkIn(mailsTo(email).at(-1)!));
  assert.equal(expired.status, 400);
  assert.match(await expired.text(), /expired/);

  const reset = await browser.request('/ims/account/reset');
  const form = readForm(await reset.text());
  assert.equal((await browser.request(form.action, { form: { ...form.fields, email } })).status, 200);
  const renewed = mailsTo(email).at(-1)!;
  assert.match(renewed.subject ?? '', /Set your password/, 'an invited account without a password gets its invitation again');
  assert.equal((await acceptInvitation(browser, inviteLinkIn(renewed), 'late-password-12')).status, 200);
  assert.equal((await server.ims.directory.getAccount(account.id))!.emailVerified, true);
});

test('invite: a resend voids the earlier link; accounts that have a password or sign in upstream are not invited', async () => {
  const email = 'bob@corp.example';
  const account = await migrateAccount('u-4', email);
  await provisioner.onAccountReady({ subscriptionId: SUB, userId: 'u-4', email, accountId: account.id, created: true });
  const oldLink = inviteLinkIn(mailsTo(email).at(-1)!);
  assert.deepEqual(await provisioner.resendInvitation({ subscriptionId: SUB, userId: 'u-4', accountId: account.id }), { action: 'invited' });
  const resent = mailsTo(email);
  assert.equal(resent.length, 2);
  assert.match(String(resent[1]!.headers.get('x-rehome-key')), new RegExp(`^${SUB}:invite:u-4:`));
  const browser = new TestBrowser(server.url);
  assert.equal((await browser.request(oldLink)).status, 400, 'the old link is void');
  assert.equal((await acceptInvitation(browser, inviteLinkIn(resent[1]!), 'bobs-password-12')).status, 200);

  const withPassword = await server.ims.directory.createAccount({ email: 'has@corp.example', passwordHash: await hashPassword('own-password-1') });
  await server.ims.directory.addOrgMember(orgId, withPassword.id, { externalId: 'u-5' });
  assert.deepEqual(await provisioner.onAccountReady({ subscriptionId: SUB, userId: 'u-5', email: 'has@corp.example', accountId: withPassword.id, created: false }), { action: 'none', reason: 'has_password' });
  const federated = await server.ims.directory.createAccount({ email: 'fed@corp.example', type: 'federated', orgId, externalId: 'u-6' });
  assert.deepEqual(await provisioner.onAccountReady({ subscriptionId: SUB, userId: 'u-6', email: 'fed@corp.example', accountId: federated.id, created: true }), { action: 'none', reason: 'federated' });
  assert.equal(mailsTo('has@corp.example').length + mailsTo('fed@corp.example').length, 0);
});

test('invite: a forged token shows an error page, never the form', async () => {
  const browser = new TestBrowser(server.url);
  const page = await browser.request('/ims/account/invite?token=abc.def');
  assert.equal(page.status, 400);
  assert.doesNotMatch(await page.text(), /<form/);
});
