import { createEmbeddedIdp } from '../../src/adapters/idp/embedded/embedded-idp.ts';
import { createStoreImsDirectory } from '../../src/ims/directory/store-ims-directory.ts';
import { postgresTestDatabase, sqliteTestDatabase } from '../e2e/support/test-databases.ts';
import { runIdpContract } from './idp.contract.ts';

for (const kind of ['sqlite', 'postgres'] as const) {
  runIdpContract(`embedded on ${kind}`, async () => {
    const database = kind === 'sqlite' ? sqliteTestDatabase('idpemb') : await postgresTestDatabase('idpemb');
    const store = await database.open();
    const directory = createStoreImsDirectory(store);
    const org = await directory.createOrg({ name: 'Contract Org' });
    const domain = `corp-${kind}.test`;
    await directory.claimDomain(org.id, domain, 'cli:contract-test');
    return {
      idp: createEmbeddedIdp({ directory, orgId: org.id, issuer: 'http://127.0.0.1/ims', batchSize: 10 }),
      directory,
      orgId: org.id,
      domain,
      async close() {
        await store[Symbol.asyncDispose]();
        await database.drop();
      },
    };
  });
}
