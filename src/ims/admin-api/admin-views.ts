/**
 * What the Admin API returns for directory records: never a password hash, never an SSO client secret, and an
 * account only as the calling organization sees it.
 */
import type { ImsOrgAccount, ImsOrgRecord, ProductProfileRecord } from '../directory/ims-directory.ts';

export function orgView(org: ImsOrgRecord) {
  return {
    id: org.id,
    name: org.name,
    domains: org.domains,
    admins: org.admins,
    sso: org.sso === null ? null : { domains: org.sso.domains, issuer: org.sso.issuer, clientId: org.sso.clientId },
    version: org.version,
    createdAt: org.createdAt,
    updatedAt: org.updatedAt,
  };
}

export function userView(account: ImsOrgAccount) {
  return {
    id: account.id,
    userName: account.userName,
    email: account.email,
    emailVerified: account.emailVerified,
    type: account.type,
    /** True when the org owns the account (enterprise/federated): it may edit, disable and delete it. */
    ownedByOrg: account.ownerOrgId === account.orgId,
    firstName: account.firstName,
    lastName: account.lastName,
    status: account.status,
    externalId: account.externalId,
    joinedAt: account.joinedAt,
    version: account.version,
    createdAt: account.createdAt,
    updatedAt: account.updatedAt,
  };
}

export function profileView(profile: ProductProfileRecord) {
  return {
    id: profile.id,
    name: profile.name,
    subscriptionId: profile.subscriptionId,
    members: profile.members,
    version: profile.version,
    createdAt: profile.createdAt,
    updatedAt: profile.updatedAt,
  };
}
