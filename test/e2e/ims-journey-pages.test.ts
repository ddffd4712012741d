/**
 * The end user's IMS pages and mails (issue 13 item 1), mail over real SMTP to a loopback smtp-server, read with
 * mailparser: the invitation names the product and the subscription, says "Continue with <brand>" as the product's
 * button does and links the help page, in a text and an HTML part; "Password set" and "Password changed" lead back
 * to the product: the client the flow started from, else the configured product; a client id nobody registered
 * leads nowhere new.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { provisionOrgUser } from '../../src/ims/admin-api/provision-org-user.ts';
import type { RunningServer } from '../../src/server/http-server.ts';
import type { StoreAdapter } from '../../src/store/open-store.ts';
import { linkIn, readForm, TestBrowser } from './support/browser.ts';
import { discoverRp, PUBLIC_RP, RP, startAuthorization, startTestServer } from './support/ims-harness.ts';
import { sqliteTestDatabase, type TestDatabase } from './support/test-databases.ts';

const SUB = 'SUB-J-1';
const ENGAGE_HOME = 'http://127.0.0.1:9/engage/';
let database: TestDatabase;
let store: StoreAdapter;
let server: RunningServer;
let smtp: SMTPServer;
let orgId: string;
let profileId: string;
const received: ParsedMail[] = [];

before(async () => {
  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) { simpleParser(stream).then((mail) => { received.push(mail); callback(); }, callback); },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  database = sqliteTestDatabase('ims-journey');
  store = await database.open();
  server = await startTestServer(store, {
    brandText: 'Continue with Acme ID', productName: 'Acme ID',
    smtp: { host: '127.0.0.1', port: (smtp.server.address() as AddressInfo).port, from: '"Acme ID" <no-reply@ims.test>' },
    clients: [
      { clientId: RP.clientId, clientSecret: RP.clientSecret, redirectUris: [RP.redirectUri], postLogoutRedirectUris: [RP.postLogout], firstParty: true, name: 'Engage', homeUrl: ENGAGE_HOME },
      { clientId: PUBLIC_RP.clientId, redirectUris: [PUBLIC_RP.redirectUri], firstParty: true },
    ],
  });
  orgId = (await server.ims.directory.createOrg({ name: 'Acme Corp' })).id;
  await server.ims.directory.claimDomain(orgId, 'acme.example', 'test:setup');
  // As the engine names it: `<subscription name> (<id>)`.
  profileId = (await server.ims.directory.createProfile(orgId, { name: `Acme Marketing (production) (${SUB})`, subscriptionId: SUB })).id;
});

after(async () => {
  await server.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await store[Symbol.asyncDispose]();
  await database.drop();
});

const mailsTo = (to: string) => received.filter((m) => m.to && !Array.isArray(m.to) && m.to.text === to);

async function waitForMail(to: string, subject: RegExp): Promise<ParsedMail> {
  for (let i = 0; i < 100; i++) {
    const found = mailsTo(to).find((m) => subject.test(m.subject ?? ''));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no "${subject.source}" mail to ${to}`);
}

/** Both parts of a mail as a mail client shows them: the HTML's visible text, and its links. */
function htmlOf(mail: ParsedMail): { text: string; links: string[] } {
  assert.equal(typeof mail.html, 'string', `${mail.subject}: has an HTML part`);
  const html = mail.html as string;
  const decode = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  return { text: decode(html.replace(/<[^>]+>/g, '')), links: [...html.matchAll(/href="([^"]+)"/g)].map((m) => decode(m[1]!)) };
}

test('the invitation names the product and the subscription, says the product\'s button, and links the help page, in both parts', async () => {
  const email = 'zoe@acme.example';
  const { account } = await provisionOrgUser(server.ims.directory, orgId, { email, externalId: 'u-1', firstName: 'Zoë' });
  // The engine invites before it grants the profile: the key names the subscription.
  await server.ims.invitations.send(account.id, { key: () => `${SUB}:invite:u-1` });
  const mail = await waitForMail(email, /Acme ID password/);
  assert.equal(mail.subject, 'Set your Acme ID password for Engage');
  const helpUrl = `${server.url}/help/${SUB}`;
  const text = mail.text ?? '';
  assert.match(text, /Your Acme ID account for Engage \(Acme Marketing \(production\), subscription SUB-J-1\) is ready/);
  assert.match(text, /go to Engage at http:\/\/127\.0\.0\.1:9\/engage\/, choose "Continue with Acme ID" and sign in with zoe@acme\.example/);
  assert.doesNotMatch(text, /Continue with IMS|for IMS/, 'one brand, the product\'s button');
  assert.ok(text.includes(helpUrl));
  const html = htmlOf(mail);
  assert.match(html.text, /Your Acme ID account for Engage \(Acme Marketing \(production\), subscription SUB-J-1\) is ready/);
  assert.match(html.text, /"Continue with Acme ID"/);
  assert.ok(html.links.includes(helpUrl), 'the HTML part links the help page');
  assert.ok(html.links.some((l) => l.startsWith(`${server.url}/ims/account/invite?token=`)), 'and the invitation');

  // The page: the product, the subscription (now from the granted profile), the button, the help page.
  await server.ims.directory.addProfileMembers(orgId, profileId, [account.id]);
  const browser = new TestBrowser(server.url);
  const page = await (await browser.request(linkIn(text, '/ims/account/invite'))).text();
  assert.match(page, /<h1>Set your Acme ID password<\/h1>/);
  assert.match(page, /Then sign in to Engage \(Acme Marketing \(production\), subscription SUB-J-1\) with “Continue with Acme ID”/);
  assert.ok(page.includes(`<a href="${helpUrl}">What changes for you, and when</a>`));
  const form = readForm(page);
  const accepted = await browser.request(form.action, { form: { ...form.fields, password: 'zoe-new-password-1' } });
  assert.equal(accepted.status, 200);
  const done = await accepted.text();
  assert.match(done, /Go back to Engage and choose “Continue with Acme ID” to sign in/);
  assert.ok(done.includes(`<a href="${ENGAGE_HOME}">Go to Engage</a>`), '"Go back to the application" is a real link');
  assert.ok(done.includes(`<a href="${helpUrl}">`));
});

/** "Forgot your password?" from the sign-in page of `clientId`'s authorization, through the mail, to "Password changed". */
async function resetFrom(start: URL | string, email: string, password: string): Promise<{ mail: ParsedMail; page: string }> {
  const browser = new TestBrowser(server.url);
  let resetPath: string;
  if (typeof start === 'string') {
    resetPath = start;
  } else {
    const login = await (await browser.follow(start.href)).response.text();
    resetPath = /href="(\/ims\/account\/reset\?[^"]+)"/.exec(login)![1]!.replace(/&#38;/g, '&');
  }
  const before = mailsTo(email).length;
  const form = readForm(await (await browser.request(resetPath)).text());
  assert.equal((await browser.request(form.action, { form: { ...form.fields, email } })).status, 200);
  for (let i = 0; i < 100 && mailsTo(email).length === before; i++) await new Promise((r) => setTimeout(r, 50));
  const mail = mailsTo(email).at(-1)!;
  assert.equal(mail.subject, 'Reset your Acme ID password');
  const confirm = readForm(await (await browser.request(linkIn(mail.text ?? '', '/ims/account/reset/confirm'))).text());
  const changed = await browser.request(confirm.action, { form: { ...confirm.fields, password } });
  assert.equal(changed.status, 200);
  return { mail, page: await changed.text() };
}

test('"Password changed" leads back to the application the reset started from, else to the configured product', async () => {
  const email = 'zoe@acme.example';
  const fromEngage = await resetFrom((await startAuthorization(await discoverRp(server))).url, email, 'zoe-password-two-2');
  assert.match(fromEngage.mail.text ?? '', /\/ims\/account\/reset\/confirm\?token=[\w.-]+&client=product-app/, 'the mailed link carries the client');
  assert.ok(htmlOf(fromEngage.mail).links.some((l) => l.includes('/ims/account/reset/confirm?token=')), 'and has an HTML part with it');
  assert.match(fromEngage.page, /<h1>Password changed<\/h1>/);
  assert.match(fromEngage.page, /Go back to Engage and sign in with “Continue with Acme ID” and your new password\./);
  assert.ok(fromEngage.page.includes(`<a href="${ENGAGE_HOME}">Go to Engage</a>`));
  assert.ok(fromEngage.page.includes(`${server.url}/help/${SUB}`), 'the account\'s subscription: its help page');

  const fromSpa = await resetFrom((await startAuthorization(await discoverRp(server, PUBLIC_RP), PUBLIC_RP.redirectUri)).url, email, 'zoe-password-three-3');
  assert.ok(fromSpa.page.includes('<a href="http://127.0.0.1:9/">Go to the application</a>'), 'a client without a home: its origin');

  const direct = await resetFrom('/ims/account/reset', email, 'zoe-password-four-4');
  assert.ok(direct.page.includes(`<a href="${ENGAGE_HOME}">Go to Engage</a>`), 'no client: the configured product');

  const forged = await resetFrom('/ims/account/reset?client=https%3A%2F%2Fevil.example', email, 'zoe-password-five-5');
  assert.doesNotMatch(forged.page, /evil\.example/, 'a client id nobody registered is dropped');
  assert.doesNotMatch(forged.mail.text ?? '', /client=/);
});
