import { isUtf8 } from 'node:buffer';
import { existsSync } from 'node:fs';
import { parseLinksJsonl } from '../../adapters/product/files/export-jsonl.ts';
import { accessSnapshotFromUsers, parseAccessSnapshot, type AccessSnapshot } from '../../core/access/access-snapshot.ts';
import { diffAccess, type AccessDiff } from '../../core/access/diff-access.ts';
import type { ProductUser } from '../../core/model.ts';
import { compileUrlRules } from '../../core/urls/url-rules.ts';
import { UrlRulesError } from '../../core/urls/url-rules-error.ts';
import type { CompiledUrlRules } from '../../core/urls/url-rule-types.ts';
import type { SupportTicket } from '../../core/tickets/ticket.ts';
import { ImportError } from '../../importers/import-error.ts';
import { lineColumnAt } from '../../importers/json-locator.ts';
import { parseProductUsersCsv, parseProductUsersJsonl, readProductUsers } from '../../importers/product-users.ts';
import { readTextFile } from '../../importers/text-file.ts';
import { parseTicketsCsv, parseTicketsJsonl, readTickets } from '../../importers/tickets.ts';
import { readJsonlLinkSource, type JsonlLinkSource } from '../../links/jsonl-link-source.ts';
import { rewriteLinks, type LinkSource, type RewriteLinksReport } from '../../links/rewrite-links.ts';
import { ProductSourceError, type ProductLink, type ProductSource } from '../../ports/product-source.ts';
import { loadUrlRules } from '../../redirects/load-url-rules.ts';
import { saveReport } from '../../reports/report-store.ts';
import { migrateTickets, type TicketMigrationReport } from '../../tickets/migrate-tickets.ts';
import { AppError } from '../app-error.ts';
import type { RehomeApp } from '../compose.ts';

/** Phase 3: move the support tickets to the IMS side, re-attributed, and reconcile the counts (`rehome tickets`). */
export function moveSupportTickets(app: RehomeApp, input: { subscriptionId: string; tickets: readonly SupportTicket[]; source: string; dryRun: boolean; actor: string; onBatch?: (done: number, total: number) => void }): Promise<TicketMigrationReport> {
  return migrateTickets(
    { db: app.store.kysely, now: app.now, actor: input.actor, ...(input.onBatch ? { onBatch: input.onBatch } : {}) },
    { subscriptionId: input.subscriptionId, tickets: input.tickets, source: input.source, dryRun: input.dryRun },
  );
}

/**
 * Rewrites stored links to the new URL structure (a dry run unless `apply`); applied changes are audited and the
 * report (dry run or applied) is kept for the console's Support & links page.
 */
export async function rewriteStoredLinks(app: RehomeApp, input: { source: LinkSource; rules: CompiledUrlRules; apply: boolean; subscriptionId: string | null; actor: string }): Promise<RewriteLinksReport> {
  const report = await rewriteLinks({
    source: input.source, rules: input.rules, apply: input.apply, actor: input.actor, subscriptionId: input.subscriptionId, now: app.now,
    ...(input.apply ? { audit: (entry) => app.store.appendAudit(entry) } : {}),
  });
  if (input.subscriptionId) await saveReport(app.store.kysely, { subscriptionId: input.subscriptionId, kind: 'link_rewrite', at: app.now().toISOString(), report });
  return report;
}

/** Access before and after the move, per user; kept for the console when it names a subscription (`rehome verify`). */
export async function verifyAccess(app: RehomeApp, input: { before: AccessSnapshot; after: AccessSnapshot; subscriptionId: string | null }): Promise<AccessDiff> {
  const diff = diffAccess(input.before, input.after);
  if (input.subscriptionId) await saveReport(app.store.kysely, { subscriptionId: input.subscriptionId, kind: 'access_diff', at: app.now().toISOString(), report: diff });
  return diff;
}

// Phase 3's inputs, read alike by `rehome tickets|rewrite-links|verify` (a path) and the console (an upload, or the
// product's API through the connection the app composes): the same importers, so the same file:line:column problems.

/** A file somebody gives: a path (the CLI), or an upload's bytes under the name it had on their computer (the console). */
export type InputFile = { path: string } | { name: string; bytes: Uint8Array };

export function inputName(file: InputFile): string {
  return 'path' in file ? file.path : file.name;
}

const UTF8_EXPECTED = 'UTF-8 text (in Excel: Save As "CSV UTF-8")';

/** The file's text, with the importers' checks: a path is read by `readTextFile`, an upload checked the same way. */
export function inputText(file: InputFile): string {
  if ('path' in file) return readTextFile(file.path);
  const { name, bytes } = file;
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new ImportError({ code: 'invalid_encoding', file: name, line: 1, column: 1, expected: UTF8_EXPECTED, detail: 'the file is UTF-16' });
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (!isUtf8(bytes)) {
    const at = lineColumnAt(text, Math.max(0, text.indexOf('\ufffd')));
    throw new ImportError({ code: 'invalid_encoding', file: name, line: at.line, column: at.column, expected: UTF8_EXPECTED, detail: 'this byte is not UTF-8' });
  }
  return text;
}

function extensionOf(name: string): string | undefined {
  return /\.([^./\\]+)$/.exec(name)?.[1]?.toLowerCase();
}

function requireExtension(name: string, allowed: readonly string[], expected: string): string {
  const extension = extensionOf(name);
  if (extension === undefined || !allowed.includes(extension)) throw new ImportError({ code: 'unsupported_format', file: name, expected });
  return extension;
}

const TABLE_EXTENSIONS = ['csv', 'jsonl', 'ndjson'];
const TABLE_EXPECTED = 'a file ending in .csv, .jsonl or .ndjson';
/** What problems in the tickets read from the product's API are located in: the n-th ticket is "line" n. */
export const PRODUCT_TICKETS = "the product's tickets";

/** Where phase 3 reads the product's support tickets: its export file, or its Rehome API. */
export type TicketsFrom = { file: InputFile } | { product: ProductSource };

/**
 * The tickets to move, by the tickets importer (`rehome tickets --file`). Tickets read from the product's API go
 * through the same importer as the JSON lines its export would hold, so they meet the same rules.
 */
export async function readSupportTickets(from: TicketsFrom): Promise<{ tickets: SupportTicket[]; source: string }> {
  if ('product' in from) {
    const listed = await from.product.listTickets();
    return { tickets: listed.length === 0 ? [] : parseTicketsJsonl(listed.map((t) => JSON.stringify(t)).join('\n'), PRODUCT_TICKETS), source: PRODUCT_TICKETS };
  }
  const name = inputName(from.file);
  if ('path' in from.file) return { tickets: readTickets(from.file.path), source: name };
  const extension = requireExtension(name, TABLE_EXTENSIONS, TABLE_EXPECTED);
  const text = inputText(from.file);
  return { tickets: extension === 'csv' ? parseTicketsCsv(text, name) : parseTicketsJsonl(text, name), source: name };
}

/** Where stored links are read (and written): the product's links export (JSON lines), or its Rehome API. */
export type LinksFrom = { file: InputFile } | { product: ProductSource };

/** The links to rewrite; from a file, `file.serialize()` is the rewritten export the product imports. */
export function openLinkSource(from: LinksFrom): { source: LinkSource; file?: JsonlLinkSource } {
  if ('product' in from) return { source: from.product };
  if ('path' in from.file) {
    const file = readJsonlLinkSource(from.file.path);
    return { source: file, file };
  }
  const file = uploadedLinks(inputText(from.file), from.file.name);
  return { source: file, file };
}

/** An uploaded export held in memory, with the export file's optimistic check (src/links/jsonl-link-source.ts). */
function uploadedLinks(text: string, name: string): JsonlLinkSource {
  const links = parseLinksJsonl(text, name);
  const byId = new Map(links.map((l) => [l.id, l]));
  return {
    listLinks: async () => links.map((l) => ({ ...l })),
    async updateLink(id, newText, expectedOldText): Promise<ProductLink> {
      const link = byId.get(id);
      if (link === undefined) throw new ProductSourceError('not_found', `no link ${id} in ${name}`);
      if (link.text !== expectedOldText && link.text !== newText) throw new ProductSourceError('conflict', `link ${id} changed since it was read`);
      link.text = newText;
      return { ...link };
    },
    serialize: () => links.map((l) => JSON.stringify(l)).join('\n') + (links.length > 0 ? '\n' : ''),
  };
}

/** URL rules (docs/urls-and-links.md) from `--rules`, `redirects.rulesFile` or an upload; problems name the file. */
export function readUrlRules(file: InputFile, allowedHosts: readonly string[] = []): CompiledUrlRules {
  if ('path' in file) return loadUrlRules(file.path, allowedHosts);
  let data: unknown;
  try {
    data = JSON.parse(inputText(file));
  } catch (e) {
    if (e instanceof ImportError) throw new UrlRulesError('invalid_rules', [e.message]);
    throw new UrlRulesError('invalid_rules', [`${file.name}: not valid JSON (${(e as Error).message})`]);
  }
  try {
    return compileUrlRules(data, { allowedHosts });
  } catch (e) {
    if (e instanceof UrlRulesError) throw new UrlRulesError('invalid_rules', e.problems.map((p) => `${file.name}: ${p}`));
    throw e;
  }
}

/**
 * Where an access snapshot comes from: a users export (.csv, .jsonl, .ndjson) or access JSON file, the newest
 * snapshot `rehome import` stored for a subscription, or the product's API read now.
 */
export type AccessFrom = { file: InputFile } | { stored: string } | { product: ProductSource };

export async function readAccessSnapshot(from: AccessFrom, deps: { app?: RehomeApp; now: () => Date }): Promise<AccessSnapshot> {
  if ('stored' in from) {
    if (!deps.app) throw new TypeError('readAccessSnapshot: a stored snapshot needs the app');
    const snap = await deps.app.store.loadSnapshot({ subscriptionId: from.stored });
    if (!snap) throw new AppError('snapshot_not_found', `no stored snapshot for subscription ${from.stored}; run rehome import first`);
    return accessSnapshotFromUsers(snap.users, snap.at);
  }
  if ('product' in from) {
    // Users give status and email; access is read through its own call, as the port defines the snapshot.
    const [users, access] = await Promise.all([from.product.listUsers(), from.product.getAccess()]);
    const byId = new Map(access.map((a) => [a.userId, a.access]));
    return accessSnapshotFromUsers(users.map((u) => ({ ...u, access: byId.get(u.id) ?? u.access })), deps.now().toISOString());
  }
  const name = inputName(from.file);
  if ('path' in from.file && !existsSync(from.file.path)) throw new AppError('file_not_found', `${name}: file not found`);
  if (extensionOf(name) !== 'json') return accessSnapshotFromUsers(readUsers(from.file));
  let data: unknown;
  try {
    data = JSON.parse(inputText(from.file));
  } catch (e) {
    if (e instanceof SyntaxError) throw new AppError('usage', `${name}: not valid JSON (${e.message})`);
    throw e;
  }
  const parsed = parseAccessSnapshot(data, name);
  if ('problems' in parsed) throw new AppError('usage', parsed.problems.slice(0, 20).join('\n'));
  return parsed.snapshot;
}

function readUsers(file: InputFile): ProductUser[] {
  if ('path' in file) return readProductUsers(file.path);
  const extension = requireExtension(file.name, TABLE_EXTENSIONS, TABLE_EXPECTED);
  const text = inputText(file);
  return extension === 'csv' ? parseProductUsersCsv(text, file.name) : parseProductUsersJsonl(text, file.name);
}
