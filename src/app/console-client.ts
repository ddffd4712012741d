import { createHmac } from 'node:crypto';
import type { ImsClientConfig } from '../ims/ims-config.ts';

export const CONSOLE_CLIENT_ID = 'rehome-console';

/**
 * The console's registration with the embedded IMS: a confidential first-party client (no consent page) whose
 * secret is derived from the server's link secret, so it needs no setting of its own and changes when that
 * secret is rotated. Redirect URIs are exact (RFC 9700 section 2.1).
 */
export function consoleClientRegistration(baseUrl: string, linkSecret: string): ImsClientConfig {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    clientId: CONSOLE_CLIENT_ID,
    clientSecret: createHmac('sha256', linkSecret).update('rehome-console-client').digest('base64url'),
    redirectUris: [`${base}/console/callback`],
    postLogoutRedirectUris: [`${base}/console/`],
    firstParty: true,
  };
}
