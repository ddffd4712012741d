import type { ServerResponse } from 'node:http';
import type { OutboxMailer } from '../../mail/outbox-mailer.ts';
import type { ImsConfig } from '../ims-config.ts';
import { html, page } from '../../http/html.ts';
import { sendHtml } from '../../http/http-io.ts';

/** `/ims/dev/outbox` (HTML) and `/ims/dev/outbox.json`: the development outbox. Only mounted when enabled. */
export async function serveOutbox(res: ServerResponse, outbox: OutboxMailer, config: ImsConfig, url: URL): Promise<void> {
  const to = url.searchParams.get('to') ?? undefined;
  const mails = await outbox.list(to ? { to } : {});
  if (url.pathname.endsWith('.json')) {
    res.statusCode = 200;
    res.setHeader('content-type', 'application/json');
    res.setHeader('cache-control', 'no-store');
    res.end(JSON.stringify({ mails: mails.map(({ key, to: rcpt, subject, text, createdAt }) => ({ key, to: rcpt, subject, text, createdAt })) }));
    return;
  }
  sendHtml(res, 200, page({
    title: 'Outbox (development)',
    productName: config.productName,
    body: html`<p>Mail the IMS would have sent, newest first. This page exists only in development.</p>
${mails.length === 0 ? html`<p>No mail yet.</p>` : ''}
${mails.map((m) => html`<article><h2>${m.subject}</h2><p>To ${m.to} · ${m.createdAt}</p><pre>${m.text}</pre></article>`)}`,
  }));
}
