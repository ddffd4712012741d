import { createExternalIdp } from '../../src/adapters/idp/external/external-idp.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { runIdpContract } from './idp.contract.ts';
import { IMS_PROFILE_KEY, startImsScimServer } from './idp-scim-server.ts';

const CONCURRENCY = 3;

runIdpContract('external (SCIM 2.0 over HTTP) against the embedded IMS', async () => {
  const ims = await startImsScimServer('idpext');
  // A proxy without faults: only counts what is in flight on the wire.
  const wire = await startFaultProxy({ target: ims.origin });
  const idp = createExternalIdp({
    issuer: `${ims.origin}/ims`,
    baseUrl: `${wire.url}/scim/v2`,
    auth: { kind: 'client_credentials', tokenEndpoint: `${wire.url}${ims.tokenPath}`, clientId: ims.clientId, clientSecret: ims.clientSecret, scope: 'scim' },
    concurrency: CONCURRENCY,
    batchSize: 10,
    timeoutMs: 5000,
    profileKeyAttribute: IMS_PROFILE_KEY,
  });
  return {
    idp,
    directory: ims.directory,
    orgId: ims.orgId,
    domain: ims.domain,
    wire: { reset: () => wire.resetPeak(), maxInFlight: () => wire.stats.maxInFlight, concurrency: CONCURRENCY },
    async close() {
      await wire.close();
      await ims.close();
    },
  };
});
