import type { ReadinessReport, ReadinessSummary, Reason, UserReadiness } from '../core/readiness/report.ts';
import { stringSink, type TextSink } from './text-sink.ts';

/**
 * The JSON interface (docs/readiness.md), written user by user: the same text as `JSON.stringify(report, null, 2)`
 * plus a final newline, without the report ever being one object or one string. Each user is serialised by hand
 * in the key order of core/readiness (a test checks it against JSON.stringify).
 */
export function writeReadinessJson(summary: ReadinessSummary, users: Iterable<UserReadiness>, sink: TextSink): void {
  sink.write(`{\n  "version": 1,\n  "summary": ${JSON.stringify(summary, null, 2).replaceAll('\n', '\n  ')},\n  "users": [`);
  let first = true;
  for (const u of users) {
    sink.write(first ? `\n${userJson(u)}` : `,\n${userJson(u)}`);
    first = false;
  }
  sink.write(first ? ']\n}\n' : '\n  ]\n}\n');
}

export function renderReadinessJson(report: ReadinessReport): string {
  const sink = stringSink();
  writeReadinessJson(report.summary, report.users, sink);
  return sink.text();
}

const str = JSON.stringify;

/** One user as JSON.stringify(u, null, 2) prints it four levels deep. */
export function userJson(u: UserReadiness): string {
  const m = u.match;
  const match = m.kind === 'existing'
    ? `{\n        "kind": "existing",\n        "accountId": ${str(m.accountId)},\n        "type": ${str(m.type)}\n      }`
    : `{\n        "kind": ${str(m.kind)}\n      }`;
  return `    {\n      "id": ${str(u.id)},\n      "subscriptionId": ${str(u.subscriptionId)},\n      "email": ${str(u.email)},\n      "normalizedEmail": ${u.normalizedEmail === null ? 'null' : str(u.normalizedEmail)},\n      "status": "${u.status}",\n      "admin": ${u.admin},\n      "reasons": ${reasonsJson(u.reasons)},\n      "match": ${match},\n      "otherSubscriptions": ${listJson(u.otherSubscriptions)}\n    }`;
}

function reasonsJson(reasons: readonly Reason[]): string {
  if (reasons.length === 0) return '[]';
  const items = reasons.map((r) => `        {\n          "code": "${r.code}",\n          "severity": "${r.severity}",\n          "message": ${str(r.message)},\n          "fix": ${str(r.fix)}\n        }`);
  return `[\n${items.join(',\n')}\n      ]`;
}

function listJson(list: readonly string[]): string {
  return list.length === 0 ? '[]' : `[\n${list.map((s) => `        ${str(s)}`).join(',\n')}\n      ]`;
}
