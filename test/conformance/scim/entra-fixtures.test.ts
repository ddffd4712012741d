/**
 * Issue 15 item 3: Microsoft Entra ID's SCIM provisioning calls (learn.microsoft.com, "Tutorial: develop and plan
 * provisioning for a SCIM endpoint" and "Known issues and resolutions with SCIM 2.0 protocol compliance"), its
 * non-standard forms included, replayed from fixtures/entra-*.json against the real `rehome serve`.
 */
import { runFixtures } from './fixture-runner.ts';

runFixtures('entra-', 'entra-fixtures.test');
