import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { sqliteTestDatabase, type TestDatabase } from '../../test/e2e/support/test-databases.ts';
import type { StoreAdapter } from '../store/open-store.ts';
import { createOutboxMailer } from './outbox-mailer.ts';
import { createSmtpMailer } from './smtp-mailer.ts';

let database: TestDatabase;
let store: StoreAdapter;
let server: SMTPServer;
let port: number;
const received: ParsedMail[] = [];

before(async () => {
  database = sqliteTestDatabase('mail');
  store = await database.open();
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        received.push(mail);
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store[Symbol.asyncDispose]();
  await database.drop();
});

test('SMTP mailer delivers once per key', async () => {
  const mailer = createSmtpMailer(store.kysely, { host: '127.0.0.1', port, from: '"IMS" <no-reply@ims.test>' });
  const message = { to: 'ann@example.test', subject: 'Verify your email', text: 'Open https://x/verify', html: '<p>Open</p>', key: 'k-1' };
  assert.deepEqual(await mailer.send(message), { status: 'sent' });
  assert.deepEqual(await mailer.send(message), { status: 'duplicate' });
  mailer.close();
  assert.equal(received.length, 1);
  assert.equal(received[0]!.subject, 'Verify your email');
  assert.equal(received[0]!.text?.trim(), 'Open https://x/verify');
  assert.equal(received[0]!.headers.get('x-rehome-key'), 'k-1');
});

test('a failed SMTP send is retried by the next send with the same key', async () => {
  const broken = createSmtpMailer(store.kysely, { host: '127.0.0.1', port: 1, from: 'no-reply@ims.test' });
  const message = { to: 'bob@example.test', subject: 'Hi', text: 'hello', key: 'k-2' };
  await assert.rejects(broken.send(message), { code: 'mail_failed' });
  broken.close();
  const mailer = createSmtpMailer(store.kysely, { host: '127.0.0.1', port, from: 'no-reply@ims.test' });
  assert.deepEqual(await mailer.send(message), { status: 'sent' });
  mailer.close();
  assert.equal(received.at(-1)!.subject, 'Hi');
});

test('outbox mailer stores once per key and lists newest first', async () => {
  const outbox = createOutboxMailer(store.kysely);
  assert.deepEqual(await outbox.send({ to: 'c@example.test', subject: 'One', text: '1', key: 'o-1' }), { status: 'sent' });
  assert.deepEqual(await outbox.send({ to: 'c@example.test', subject: 'One again', text: '1', key: 'o-1' }), { status: 'duplicate' });
  const mails = await outbox.list({ to: 'c@example.test' });
  assert.equal(mails.length, 1);
  assert.equal(mails[0]!.subject, 'One');
  await assert.rejects(outbox.send({ to: 'a@b.test\r\nBcc: x@y', subject: 's', text: 't', key: 'o-2' }), { code: 'mail_invalid' });
});
