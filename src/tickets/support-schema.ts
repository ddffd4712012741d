import type { Migration } from '../store/migrations/migration.ts';

/**
 * The IMS-side support store (tickets and messages, keyed by subscription + the product's ticket id, so moving
 * the same ticket twice is a no-op) and Rehome's record of each phase-3 run (the reconciliation report).
 * People are stored as IMS subjects and product user ids, never as addresses.
 */
export type SupportTables = {
  ims_support_tickets: {
    subscription_id: string;
    product_ticket_id: string;
    org_id: string | null;
    subject: string;
    status: string;
    created_at: string;
    /** The IMS account the ticket now belongs to. */
    requester_subject: string;
    requester_user_id: string;
    /** The product user who opened it (differs from `requester_user_id` when attribution is `admin_fallback`). */
    submitter_user_id: string;
    attribution: string;
    reason: string | null;
    attributes: string;
    message_count: number;
    migrated_at: string;
  };
  ims_support_messages: {
    subscription_id: string;
    product_ticket_id: string;
    seq: number;
    attribution: string;
    author_subject: string | null;
    author_user_id: string | null;
    original_author_user_id: string | null;
    reason: string | null;
    body: string;
    at: string;
  };
  mig_ticket_reports: {
    id: number;
    subscription_id: string;
    at: string;
    actor: string;
    source: string | null;
    reconciled: number;
    report: string;
  };
};

const common = (serial: string) => `
create table ims_support_tickets (
  subscription_id text not null,
  product_ticket_id text not null,
  org_id text,
  subject text not null,
  status text not null,
  created_at text not null,
  requester_subject text not null,
  requester_user_id text not null,
  submitter_user_id text not null,
  attribution text not null,
  reason text,
  attributes text not null,
  message_count integer not null,
  migrated_at text not null,
  primary key (subscription_id, product_ticket_id)
);
create index ims_support_tickets_by_requester on ims_support_tickets (requester_subject);
create table ims_support_messages (
  subscription_id text not null,
  product_ticket_id text not null,
  seq integer not null,
  attribution text not null,
  author_subject text,
  author_user_id text,
  original_author_user_id text,
  reason text,
  body text not null,
  at text not null,
  primary key (subscription_id, product_ticket_id, seq)
);
create table mig_ticket_reports (
  id ${serial},
  subscription_id text not null,
  at text not null,
  actor text not null,
  source text,
  reconciled integer not null,
  report text not null
);
create index mig_ticket_reports_by_subscription on mig_ticket_reports (subscription_id, id);
`;

export const supportTicketsMigration: Migration = {
  name: '0005_support_tickets',
  sqlite: common('integer primary key autoincrement'),
  postgres: common('bigserial primary key'),
};
