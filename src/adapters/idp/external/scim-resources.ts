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

/** The Rehome IMS's SCIM extensions (its `/Schemas` lists them). */
export const IMS_USER_EXTENSION = 'urn:rehome:params:scim:schemas:extension:ims:2.0:User';
export const IMS_GROUP_EXTENSION = 'urn:rehome:params:scim:schemas:extension:ims:2.0:Group';

export interface UserMapping {
  /**
   * Where the IdP says an email is verified: a fully qualified attribute (RFC 7644 section 3.10). SCIM core has no
   * such attribute; an IdP that sends none never has an account found by email (the safe outcome).
   */
  emailVerifiedAttribute: string;
  /** Where the IdP says the account type; core `userType` is read when this is absent. */
  typeAttribute: string;
  /** Type to assume when the IdP sends none or an unknown one. */
  defaultUserType: IdpUserType;
}

export const defaultUserMapping: UserMapping = {
  emailVerifiedAttribute: `${IMS_USER_EXTENSION}:emailVerified`,
  typeAttribute: `${IMS_USER_EXTENSION}:type`,
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
    type: readType(readAttribute(resource, mapping.typeAttribute)) ?? readType(resource.userType) ?? mapping.defaultUserType,
    active: resource.active !== false,
  };
}

function readType(value: unknown): IdpUserType | undefined {
  return typeof value === 'string' && userTypes.includes(value) ? value as IdpUserType : undefined;
}

/** A new User: never says anything about verification (an IdP must not take a provisioned email as proven). */
export function toScimUser(input: NewIdpUser): Record<string, unknown> {
  return {
    schemas: [SCIM_USER],
    externalId: input.externalId,
    userName: input.userName ?? input.email,
    name: { givenName: input.firstName, familyName: input.lastName },
    emails: [{ value: input.email, type: 'work', primary: true }],
    ...(input.type === undefined ? {} : { userType: input.type }),
    active: true,
  };
}

/** Sets `urn:...:Schema:attr` or a core `attr` on a resource being written, listing the extension in `schemas`. */
export function writeAttribute(resource: Record<string, unknown>, path: string, value: unknown): void {
  const split = path.lastIndexOf(':');
  if (split > 0 && path.startsWith('urn:')) {
    const urn = path.slice(0, split);
    const extension = (resource[urn] ??= {}) as Record<string, unknown>;
    extension[path.slice(split + 1)] = value;
    const schemas = (resource.schemas ??= []) as string[];
    if (!schemas.includes(urn)) schemas.push(urn);
  } else {
    resource[path] = value;
  }
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
