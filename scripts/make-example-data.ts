// Regenerates examples/acme: a production subscription of 300 users and its sandbox, covering every readiness
// status and reason code, written in the messy shape real exports have (BOM, CRLF, quoted commas).
import { mkdirSync, writeFileSync } from 'node:fs';
import { generatePopulation } from '../src/population/generate-population.ts';
import { writeProductUsersCsv } from '../src/exporters/product-users-csv.ts';
import { writeImsDirectoryCsv } from '../src/exporters/ims-directory-csv.ts';

const dir = new URL('../examples/acme/', import.meta.url);
mkdirSync(dir, { recursive: true });
// Production has SSO configured in its IMS organization; the sandbox does not (its SSO users are blocked).
const prod = generatePopulation({ users: 300, seed: 7, ssoConfigured: true });
const sandbox = generatePopulation({ users: 40, seed: 7, subscriptionId: '123-ABC-999', subscriptionName: 'Acme Marketing (sandbox)' });
sandbox.users.forEach((u, i) => { u.id = String(9000 + i); });
sandbox.subscription.admins = [sandbox.users[0]!.id, sandbox.users[1]!.id];
prod.users[5]!.firstName = 'Mary, Jr.'; // a quoted comma, as real exports have
prod.users[6]!.attributes = { department: 'Field "Ops"' };
writeFileSync(new URL('users.csv', dir), '\ufeff' + writeProductUsersCsv(prod.users, ['department']));
writeFileSync(new URL('sandbox-users.csv', dir), writeProductUsersCsv(sandbox.users, ['department']));
writeFileSync(new URL('ims-directory.csv', dir), writeImsDirectoryCsv(prod.imsAccounts));
writeFileSync(new URL('subscription.json', dir), JSON.stringify(prod.subscription, null, 2) + '\n');
writeFileSync(new URL('sandbox-subscription.json', dir), JSON.stringify(sandbox.subscription, null, 2) + '\n');
console.log(`examples/acme: ${prod.users.length} production users, ${sandbox.users.length} sandbox users, ${prod.imsAccounts.length} IMS accounts`);
