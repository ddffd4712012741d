import type { Kysely } from 'kysely';
import type { Migration } from '../store/migrations/migration.ts';

/** Reports worth keeping for the console: the link-rewrite report and the access diff of `rehome verify`. */
export type StoredReportKind = 'link_rewrite' | 'access_diff';

type ReportTables = { mig_reports: { id: number; subscription_id: string; kind: string; at: string; report: string } };

const ddl = (serial: string) => `
create table mig_reports (
  id ${serial},
  subscription_id text not null,
  kind text not null,
  at text not null,
  report text not null
);
create index mig_reports_latest on mig_reports (subscription_id, kind, id);
`;

export const reportsMigration: Migration = { name: '0010_reports', sqlite: ddl('integer primary key autoincrement'), postgres: ddl('bigserial primary key') };

export async function saveReport(kysely: Kysely<any>, input: { subscriptionId: string; kind: StoredReportKind; at: string; report: unknown }): Promise<void> {
  await (kysely as Kysely<ReportTables>).insertInto('mig_reports')
    .values({ subscription_id: input.subscriptionId, kind: input.kind, at: input.at, report: JSON.stringify(input.report) } as never).execute();
}

export async function latestReport<T>(kysely: Kysely<any>, subscriptionId: string, kind: StoredReportKind): Promise<{ at: string; report: T } | undefined> {
  const row = await (kysely as Kysely<ReportTables>).selectFrom('mig_reports').select(['at', 'report'])
    .where('subscription_id', '=', subscriptionId).where('kind', '=', kind).orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row ? { at: row.at, report: JSON.parse(row.report) as T } : undefined;
}
