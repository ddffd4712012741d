import { relative } from 'node:path';
import { planReadiness } from '../core/readiness/plan-readiness.ts';
import { renderReadinessTable } from '../reports/readiness-table.ts';
import { DEMO_BRAND, DEMO_PRODUCT_TOKEN, type DemoStack } from './demo-stack.ts';

/** The readiness summary of the demo subscription's newest snapshot (no rows: the counts and reasons). */
export async function demoReadinessSummary(stack: DemoStack): Promise<string> {
  const snap = await stack.store.loadSnapshot({ subscriptionId: stack.logins.subscriptionId });
  if (!snap) return '(no snapshot yet)\n';
  return renderReadinessTable(planReadiness({ subscriptions: [{ subscription: snap.subscription, users: snap.users }], ims: snap.ims }), { limit: 0 });
}

/** What `npm start` prints: where everything is, who to sign in as, and what to run next. */
export function renderDemoBanner(stack: DemoStack, o: { readiness: string; consoleMounted: boolean; scheduleDate: string; cwd?: string }): string {
  const { rehome, engage, logins } = stack;
  const rel = (p: string): string => relative(o.cwd ?? process.cwd(), p) || '.';
  const cli = `npm run -s rehome --`;
  const cfg = `--config ${rel(stack.files.config)}`;
  const sub = logins.subscriptionId;
  const plan = rel(`${stack.files.dir}/plan.json`);
  return `
Rehome demo (${stack.created ? 'new state' : 'state kept'} in ${rel(stack.files.dir)}; npm start -- --fresh starts over)

  Engage (old URL)   ${engage.url}/app-${logins.instance}/        subscription ${sub}
  Engage (new URL)   ${engage.url}/#/@acme/so:${sub}/engage/
  IMS                ${rehome.url}/ims   (discovery: ${rehome.url}/ims/.well-known/openid-configuration)
  ${o.consoleMounted ? `Admin console      ${rehome.url}/console/` : 'Admin console      (not mounted in this build)'}
  Mail outbox        ${rehome.url}/ims/dev/outbox   (invitations, password resets)
  Old-URL redirects  ${rehome.url}/app-${logins.instance}/#RP1200A1   (stands in for the old host after the cutover)
  SCIM 2.0           ${rehome.url}/scim/v2

Sign in to Engage with a password (every seeded user: ${logins.password})
  admin              ${logins.admin.login}
  user               ${logins.user.login}   (already has a verified IMS account: the plan links it)
  API-only client    curl -s -d grant_type=client_credentials -d client_id=${logins.apiOnly.clientId} -d client_secret=${logins.apiOnly.clientSecret} ${engage.url}/api/token

Readiness of ${sub}:
${o.readiness.trimEnd()}

Next, in another terminal (walk-through: docs/walkthrough.md):
  export REHOME_PRODUCT_TOKEN=${DEMO_PRODUCT_TOKEN}
  ${cli} plan ${cfg} --subscription ${sub} --out ${plan}
  ${cli} migrate ${cfg} --plan ${plan} --consent
  ${cli} schedule ${cfg} --subscription ${sub} --date ${o.scheduleDate}   (8 to 30 days ahead)
  ${cli} migrate ${cfg} --subscription ${sub}
  ${cli} status ${cfg} --subscription ${sub}
Then: ${logins.user.login} gets a mail in the outbox; after setting an IMS password, "${DEMO_BRAND}" on Engage's sign-in page.
Or let the demo migrate everyone now: npm start -- --migrate
`;
}
