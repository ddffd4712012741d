/**
 * Issue 15 item 3: Okta's SCIM 2.0 provisioning calls (developer.okta.com, SCIM 2.0 guide and its Runscope spec
 * test), replayed from fixtures/okta-*.json against the real `rehome serve`. Add a sequence as a new JSON file.
 */
import { runFixtures } from './fixture-runner.ts';

runFixtures('okta-', 'okta-fixtures.test');
