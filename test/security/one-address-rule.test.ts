// One address rule (docs/security.md): every layer that turns an address into a key — readiness and the plan (core),
// the importers' domain rule, the embedded IMS's directory (sign-up, SCIM, Admin API, CSV import all go through it,
// stored on a real store) — derives the same key from the same string, or refuses it alike; and two strings share a
// key only when mail to both reaches the same mailbox: the key folds nothing but letter case, Unicode canonical
// equivalence (NFC) and the U-label/A-label spelling of a domain. Full-width letters, invisible characters, mixed
// scripts and trailing dots are refused, never folded (that folding was the takeover of issue 11).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { domainToUnicode } from 'node:url';
import fc from 'fast-check';
import { normalizeEmail, toAsciiDomain, type EmailPolicy } from '../../src/core/email/normalize-email.ts';
import { planReadiness } from '../../src/core/readiness/plan-readiness.ts';
import { imsAccount, productUser, subscription } from '../../src/core/testing/builders.ts';
import { createStoreImsDirectory } from '../../src/ims/directory/store-ims-directory.ts';
import { openStore } from '../../src/app/rehome-store.ts';

// Characters that tempt a normaliser to fold: case, full-width and ligature forms, invisible ones, look-alike
// scripts, combining marks, dots and hyphens, an IDN and its A-label.
const LOCAL = ['a', 'A', 'b', 'f', 'F', '.', '+', '-', '\uff46', '\uff21', '\ufb01', '\u00ad', '\u200b', '\u0430', '\u00e9', 'e\u0301', '\u00df', '\u0130', '1'];
const DOMAIN = ['a', 'A', 'f', 'b', '\u00fc', '\u00dc', 'xn--bcher-kva', 'bcher', '\uff46', '\u00ad', '\u200b', '\u0430', '-', '.', '1'];
const TLD = ['.example', '.EXAMPLE', '.de', '.example.', '\uff0eexample'];

const address = fc.tuple(
  fc.constantFrom('', ' ', '\u3000'),
  fc.array(fc.constantFrom(...LOCAL), { minLength: 1, maxLength: 5 }),
  fc.array(fc.constantFrom(...DOMAIN), { minLength: 1, maxLength: 5 }),
  fc.constantFrom(...TLD),
).map(([pad, local, domain, tld]) => `${pad}${local.join('')}@${domain.join('')}${tld}${pad}`);

// Pairs that collide if anything folds: a plain address, and the same with some characters swapped for a
// case variant, a compatibility form, a look-alike of another script, or an invisible character inserted.
const PLAIN_LOCAL = ['a', 'b', 'f', 'e', '\u00e9', '\u00fc', '.', '1'];
const PLAIN_DOMAIN = ['a', 'b', 'f', '\u00fc', '-', '1'];
const VARIANTS: Record<string, string[]> = {
  a: ['A', '\uff41', '\u0430'], b: ['B', '\uff42'], f: ['F', '\uff46'], e: ['E', '\u0435', '\uff45'], '\u00e9': ['\u00c9', 'e\u0301', '\u0435\u0301'],
  '\u00fc': ['\u00dc', 'u\u0308', '\uff55\u0308'], '.': ['\uff0e', '\u3002'], '1': ['\uff11', 'l'], '-': ['\u2010', '\u00ad'], '@': ['\uff20'],
};
const plain = fc.tuple(
  fc.array(fc.constantFrom(...PLAIN_LOCAL), { minLength: 1, maxLength: 6 }).map((l) => l.join('').replace(/^\.+|\.+$/g, 'a').replace(/\.\.+/g, '.')),
  fc.array(fc.constantFrom(...PLAIN_DOMAIN), { minLength: 1, maxLength: 6 }).map((d) => d.join('').replace(/^-+|-+$/g, 'b')),
  fc.constantFrom('example', 'de'),
).map(([l, d, t]) => `${l}@${d}.${t}`);
const twin = plain.chain((a) => fc.tuple(
  fc.constant(a),
  fc.array(fc.tuple(fc.nat(a.length), fc.nat(3), fc.constantFrom('', '\u00ad', '\u200b', '\u2060')), { minLength: 1, maxLength: 3 }).map((edits) => {
    const chars = [...a];
    for (const [at, pick, insert] of edits) {
      const i = at % chars.length;
      const options = VARIANTS[chars[i]!];
      chars[i] = (options ? options[pick % options.length]! : chars[i]!) + (pick === 3 ? insert : '');
    }
    return chars.join('') + (edits.length === 3 && edits[2]![1] === 0 ? '.' : '');
  }),
));

/** What a mailbox is, independently of Rehome's code: case, NFC and the A-label spelling aside, the string as typed. */
function mailbox(raw: string, policy: EmailPolicy): string {
  const s = raw.trim().normalize('NFC');
  const at = s.lastIndexOf('@');
  const local = s.slice(0, at);
  const domain = s.slice(at + 1).split('.').map((label) => (label.toLowerCase().startsWith('xn--') ? domainToUnicode(label.toLowerCase()) : label).toLowerCase().normalize('NFC')).join('.');
  return `${policy.caseFoldLocalPart ? local.toLowerCase() : local}@${domain}`;
}

for (const policy of [{ caseFoldLocalPart: true }, { caseFoldLocalPart: false }] satisfies EmailPolicy[]) {
  test(`property (${policy.caseFoldLocalPart ? 'case-folded' : 'case-kept'} local parts): two addresses share a key only if mail to both reaches the same mailbox`, () => {
    let shared = 0;
    const check = (a: string, b: string) => {
      const ka = normalizeEmail(a, policy);
      const kb = normalizeEmail(b, policy);
      if (ka.ok && kb.ok && ka.address === kb.address) {
        shared++;
        assert.equal(mailbox(a, policy), mailbox(b, policy), `${JSON.stringify(a)} and ${JSON.stringify(b)} share the key ${ka.address}`);
      }
    };
    fc.assert(fc.property(twin, ([a, b]) => check(a, b)), { numRuns: 20_000 });
    fc.assert(fc.property(address, address, check), { numRuns: 5_000 });
    assert.ok(shared > 500, `the generators make keys meet (${shared} shared keys checked)`);
  });

  test(`property (${policy.caseFoldLocalPart ? 'case-folded' : 'case-kept'}): mail goes to the address as typed, and the key is that address`, () => {
    fc.assert(fc.property(address, (a) => {
      const e = normalizeEmail(a, policy);
      if (!e.ok) return;
      assert.equal(mailbox(e.delivery, policy), mailbox(a, policy), 'the delivery form is the typed mailbox');
      assert.equal(e.address, `${policy.caseFoldLocalPart ? e.delivery.slice(0, e.delivery.lastIndexOf('@')).toLowerCase() : e.delivery.slice(0, e.delivery.lastIndexOf('@'))}@${e.domain}`);
      assert.match(e.delivery, /@[a-z0-9.-]+$/, 'the mail goes to an A-label domain, nothing left for the mailer to convert');
    }), { numRuns: 5_000 });
  });
}

test('property: readiness, the importers\' domain rule and the IMS directory derive the same key (or refuse alike)', async () => {
  for (const policy of [{ caseFoldLocalPart: true }, { caseFoldLocalPart: false }] satisfies EmailPolicy[]) {
    await using store = await openStore({ kind: 'sqlite', path: ':memory:' });
    const directory = createStoreImsDirectory(store, { emailPolicy: policy });
    let created = 0;
    await fc.assert(fc.asyncProperty(address, async (raw) => {
      const core = normalizeEmail(raw, policy);
      // the IMS (sign-up, SCIM, Admin API and CSV import create accounts through the directory)
      let ims: { key: string; delivery: string } | undefined;
      try { ims = directory.address(raw); } catch { ims = undefined; }
      assert.equal(ims?.key, core.ok ? core.address : undefined, `IMS key of ${JSON.stringify(raw)}`);
      assert.equal(ims?.delivery, core.ok ? core.delivery : undefined);
      // readiness / the plan: the user's normalizedEmail (null when refused: the user is blocked with the problem)
      const report = planReadiness({ subscriptions: [{ subscription: subscription(), users: [productUser({ id: 'u1', email: raw })] }], ims: { accounts: [] }, policy });
      assert.equal(report.users[0]!.normalizedEmail, core.ok ? core.address : null);
      if (!core.ok) assert.equal(report.users[0]!.status, 'blocked');
      // the importers' domain rule (claimed domains, IMS export domains)
      if (core.ok) assert.equal(toAsciiDomain(raw.trim().normalize('NFC').slice(raw.trim().normalize('NFC').lastIndexOf('@') + 1)), core.domain);
      // stored on a real store: email is the delivery form, email_norm the key
      if (core.ok && created < 300) {
        const account = await directory.createAccount({ email: raw, userName: `user-${++created}-${policy.caseFoldLocalPart}` });
        assert.equal(account.email, core.delivery);
        assert.equal(account.emailNormalized, core.address);
        assert.ok((await directory.findAccountsByEmail(core.delivery)).some((x) => x.id === account.id), 'found again by its delivery form');
      }
    }), { numRuns: 1_500 });
  }
});

test('an IMS export account with a look-alike address is never a match for the person it imitates', () => {
  const sub = subscription();
  const report = planReadiness({
    subscriptions: [{ subscription: sub, users: [productUser({ id: 'u1', email: 'frances@freelance.example' })] }],
    ims: { accounts: [imsAccount({ id: 'lookalike', email: 'frances@\uff46reelance.example', emailVerified: true })] },
  });
  assert.deepEqual(report.users[0]!.match, { kind: 'new' });
});
