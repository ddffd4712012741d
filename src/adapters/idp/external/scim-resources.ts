import type { IdpUser, IdpUserType, NewIdpUser } from '../../../ports/identity-provider.ts';

/** SCIM schema URNs (RFC 7643 section 8.7, RFC 7644 section 3). */
export const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const SCIM_PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SCIM_LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/** The subset of a SCIM User resource Rehome reads. */
export interface ScimUser {
  id: string;
  externalId?: string | null;
  userName?: string;
  userType?: string;
  active?: boolean;
  emails?: { value?: string; primary?: boolean; type?: string }[];
  [key: string]: unknown;
}

export interface ScimGroup {
  id: string;
  displayName?: string;
  externalId?: string | null;
  members?: { value: string }[];
}

export interface ScimListResponse<T> {
  totalResults: number;
  Resources?: T[];
}

const userTypes: readonly string[] = ['personal', 'enterprise', 'federated'];

export interface UserMapping {
  /**
   * Where the IdP says an email is verified: a fully qualified attribute (RFC 7644 section 3.10), e.g.
   * `urn:ietf:params:scim:schemas:extension:rehome:2.0:User:emailVerified`. SCIM core has no such attribute.
   */
  emailVerifiedAttribute: string;
  /** userType to assume when the IdP sends none or an unknown one. */
  defaultUserType: IdpUserType;
}

export const defaultUserMapping: UserMapping = {
  emailVerifiedAttribute: 'urn:ietf:params:scim:schemas:extension:rehome:2.0:User:emailVerified',
  defaultUserType: 'enterprise',
};

export function toIdpUser(resource: ScimUser, mapping: UserMapping): IdpUser {
  const emails = Array.isArray(resource.emails) ? resource.emails : [];
  const primary = emails.find((e) => e.primary === true) ?? emails[0];
  return {
    id: resource.id,
    externalId: typeof resource.externalId === 'string' ? resource.externalId : null,
    email: primary?.value ?? resource.userName ?? '',
    // A missing flag is "not verified": never link on an email the IdP did not vouch for.
    emailVerified: readAttribute(resource, mapping.emailVerifiedAttribute) === true,
    type: resource.userType && userTypes.includes(resource.userType) ? resource.userType as IdpUserType : mapping.defaultUserType,
    active: resource.active !== false,
  };
}

export function toScimUser(input: NewIdpUser, defaultType: IdpUserType): Record<string, unknown> {
  return {
    schemas: [SCIM_USER],
    externalId: input.externalId,
    userName: input.userName ?? input.email,
    name: { givenName: input.firstName, familyName: input.lastName },
    emails: [{ value: input.email, type: 'work', primary: true }],
    userType: input.type ?? defaultType,
    active: true,
  };
}

/** Reads `urn:...:Schema:attr` (extension) or `attr.sub` (core) from a resource. */
export function readAttribute(resource: Record<string, unknown>, path: string): unknown {
  const split = path.lastIndexOf(':');
  let node: unknown = resource;
  if (split > 0 && path.startsWith('urn:')) {
    node = resource[path.slice(0, split)];
    path = path.slice(split + 1);
  }
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** A SCIM filter comparison value is a JSON string (RFC 7644 section 3.4.2.2): quotes and backslashes escaped. */
export function scimEq(attribute: string, value: string): string {
  return `${attribute} eq ${JSON.stringify(value)}`;
}
