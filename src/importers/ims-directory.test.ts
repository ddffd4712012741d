import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseImsDirectoryCsv } from './ims-directory.ts';
import { ImportErrors } from './import-error.ts';
import type { ImsAccount } from '../core/model.ts';

const HEADER =
  '\ufeffIdentity Type,Username,Domain,Email,First Name,Last Name,Country Code,ID,Product Configurations,Admin Roles,Product Configurations Administered,User Groups,User Groups Administered,Products Administered,Developer Access,Auto Assigned Products';
const ROW = 'Federated ID,jdoe,example.com,jdoe@example.com,Jane,Doe,US,A1@AdobeId,"Marketo Engage, Analytics",,,"Group A,Group B",,,,';

const JANE: ImsAccount = {
  id: 'A1@AdobeId',
  type: 'federated',
  username: 'jdoe',
  domain: 'example.com',
  email: 'jdoe@example.com',
  emailVerified: false,
  firstName: 'Jane',
  lastName: 'Doe',
  countryCode: 'US',
  status: 'active',
  productConfigurations: ['Marketo Engage', 'Analytics'],
  adminRoles: [],
  attributes: {
    'Product Configurations Administered': '',
    'User Groups': 'Group A,Group B',
    'User Groups Administered': '',
    'Products Administered': '',
    'Developer Access': '',
    'Auto Assigned Products': '',
  },
};

const good: { name: string; text: string; claimed?: string[]; expect: Partial<ImsAccount> }[] = [
  { name: 'Admin Console export with BOM, CRLF, multi-valued cells', text: `${HEADER}\r\n${ROW}\r\n`, expect: {} },
  { name: 'claimed domain makes a Federated ID verified', text: `${HEADER}\n${ROW}\n`, claimed: ['EXAMPLE.com'], expect: { emailVerified: true } },
  { name: 'Enterprise ID, type in any case', text: `${HEADER}\n${ROW.replace('Federated ID', 'enterprise')}\n`, claimed: ['example.com'], expect: { type: 'enterprise', emailVerified: true } },
  { name: 'Adobe ID is never verified by a claim', text: `${HEADER}\n${ROW.replace('Federated ID', 'Adobe ID')}\n`, claimed: ['example.com'], expect: { type: 'personal' } },
  { name: 'UMAPI spelling', text: `${HEADER}\n${ROW.replace('Federated ID', 'adobeID')}\n`, expect: { type: 'personal' } },
  {
    name: 'domain from the email when the cell is empty; username defaults to email',
    text: `${HEADER}\n${ROW.replace('jdoe,example.com,jdoe@example.com', ',,jdoe@Example.COM')}\n`,
    expect: { username: 'jdoe@Example.COM', domain: 'example.com', email: 'jdoe@Example.COM' },
  },
  { name: 'IDN domain to ASCII', text: `${HEADER}\n${ROW.replace('jdoe,example.com,jdoe@example.com', 'jdoe,,jdoe@bücher.de')}\n`, expect: { domain: 'xn--bcher-kva.de', email: 'jdoe@bücher.de' } },
  {
    name: 'optional Email Verified and Status columns, headers in any case',
    text: `${HEADER.replace('Identity Type', 'IDENTITY TYPE')},email verified,STATUS\n${ROW},TRUE,Disabled\n`,
    expect: { emailVerified: true, status: 'disabled' },
  },
  { name: 'Email Verified false loses to a claimed domain', text: `${HEADER},Email Verified\n${ROW},false\n`, claimed: ['example.com'], expect: { emailVerified: true } },
  { name: 'personal account keeps its Email Verified value', text: `${HEADER},Email Verified\n${ROW.replace('Federated ID', 'Personal')},true\n`, expect: { type: 'personal', emailVerified: true } },
  { name: 'empty country code', text: `${HEADER}\n${ROW.replace(',US,', ',,')}\n`, expect: { countryCode: '' } },
];

for (const c of good) {
  test(`IMS CSV: ${c.name}`, () => {
    assert.deepEqual(parseImsDirectoryCsv(c.text, 'ims.csv', { claimedDomains: c.claimed ?? [] }), [{ ...JANE, ...c.expect }]);
  });
}

test('IMS CSV: only the required columns', () => {
  const [account] = parseImsDirectoryCsv('identity type,username,email\nAdobe ID,a@b.org,a@b.org\n', 'ims.csv');
  assert.deepEqual(account, {
    id: '',
    type: 'personal',
    username: 'a@b.org',
    domain: 'b.org',
    email: 'a@b.org',
    emailVerified: false,
    firstName: '',
    lastName: '',
    countryCode: '',
    status: 'active',
    productConfigurations: [],
    adminRoles: [],
    attributes: {},
  });
});

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof ImportErrors) return e.errors.map((x) => `${x.file}:${x.line}:${x.column} ${x.code} ${x.field ?? ''}`.trim());
    throw e;
  }
  return [];
}

const bad: { name: string; text: string; problems: string[] }[] = [
  { name: 'unknown identity type', text: `${HEADER}\n${ROW.replace('Federated ID', 'Robot')}\n`, problems: ['ims.csv:2:1 invalid_value Identity Type'] },
  { name: 'lower-case country code', text: `${HEADER}\n${ROW.replace(',US,', ',us,')}\n`, problems: ['ims.csv:2:57 invalid_value Country Code'] },
  { name: 'bad status', text: `${HEADER},Status\n${ROW},removed\n`, problems: ['ims.csv:2:123 invalid_value Status'] },
  { name: 'bad Email Verified', text: `${HEADER},Email Verified\n${ROW},maybe\n`, problems: ['ims.csv:2:123 invalid_value Email Verified'] },
  { name: 'duplicate ID', text: `${HEADER}\n${ROW}\n${ROW}\n`, problems: ['ims.csv:3:60 duplicate_id ID'] },
  { name: 'missing required columns', text: 'Username,First Name\nx,y\n', problems: ['ims.csv:1:1 missing_column Identity Type', 'ims.csv:1:1 missing_column Email'] },
  { name: 'text after a closing quote', text: `${HEADER}\n${ROW.replace('Group B"', 'Group B" x')}\n`, problems: ['ims.csv:2:119 csv_syntax'] },
  { name: 'unterminated quote', text: `${HEADER}\n${ROW}\n${ROW.replace('Group B"', 'Group B')}\n`, problems: ['ims.csv:3:101 csv_syntax'] },
];

for (const c of bad) {
  test(`IMS CSV error: ${c.name}`, () => {
    assert.deepEqual(problems(() => parseImsDirectoryCsv(c.text, 'ims.csv')), c.problems);
  });
}
