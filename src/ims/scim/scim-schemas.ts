/**
 * The schema URNs this service speaks and the `/Schemas` definitions (RFC 7643 §7) of exactly the attributes it
 * stores. Attributes outside these definitions are ignored on input (RFC 7644 §3.3 lets a service provider drop
 * what it does not support) and never returned.
 */
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const IMS_USER_SCHEMA = 'urn:rehome:params:scim:schemas:extension:ims:2.0:User';
export const IMS_GROUP_SCHEMA = 'urn:rehome:params:scim:schemas:extension:ims:2.0:Group';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
export const SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

type AttributeType = 'string' | 'boolean' | 'complex' | 'reference' | 'dateTime';
type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';

interface AttributeDefinition {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: 'always' | 'never' | 'default' | 'request';
  uniqueness: 'none' | 'server' | 'global';
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDefinition[];
}

function attribute(name: string, type: AttributeType, description: string, options: Partial<AttributeDefinition> = {}): AttributeDefinition {
  return {
    name, type, multiValued: false, description, required: false, caseExact: false, mutability: 'readWrite',
    returned: 'default', uniqueness: 'none', ...options,
  };
}

const userAttributes: AttributeDefinition[] = [
  attribute('userName', 'string', 'Unique identifier for the User across the IMS; defaults to the email.', { required: true, uniqueness: 'server' }),
  attribute('name', 'complex', "The components of the user's name.", {
    subAttributes: [
      attribute('givenName', 'string', 'Given (first) name.'),
      attribute('familyName', 'string', 'Family (last) name.'),
      attribute('formatted', 'string', 'Given and family name joined; derived, read-only.', { mutability: 'readOnly' }),
    ],
  }),
  attribute('displayName', 'string', 'Given and family name joined; derived, read-only.', { mutability: 'readOnly' }),
  attribute('active', 'boolean', 'False when the account is disabled or locked, or the organization deactivated its membership. On an account the organization owns it enables or disables the account; on a personal account it activates or deactivates the membership only.'),
  attribute('emails', 'complex', 'The one email address of the account (primary, type work). Optional when userName is an email address (that address is then the email); required otherwise.', {
    multiValued: true,
    subAttributes: [
      attribute('value', 'string', 'The email address.'),
      attribute('type', 'string', 'Always work.', { canonicalValues: ['work'] }),
      attribute('primary', 'boolean', 'Always true.'),
    ],
  }),
];

const imsUserAttributes: AttributeDefinition[] = [
  attribute('emailVerified', 'boolean', "True only after the address's owner proved control of it; never settable by a client.", { mutability: 'readOnly' }),
  attribute('type', 'string', 'personal (owned by its person), enterprise or federated (owned by the organization). Set by the domain rules at creation.', {
    mutability: 'readOnly', canonicalValues: ['personal', 'enterprise', 'federated'],
  }),
];

const groupAttributes: AttributeDefinition[] = [
  attribute('displayName', 'string', 'The product profile name.', { required: true }),
  attribute('members', 'complex', 'Accounts in the product profile; each must be a user of the organization.', {
    multiValued: true,
    subAttributes: [
      attribute('value', 'string', 'The id of a User.', { mutability: 'immutable', caseExact: true }),
      attribute('display', 'string', 'The userName of the member.', { mutability: 'readOnly' }),
      attribute('$ref', 'reference', 'URI of the User.', { mutability: 'readOnly', referenceTypes: ['User'] }),
      attribute('type', 'string', 'Always User.', { mutability: 'readOnly', canonicalValues: ['User'] }),
    ],
  }),
];

const imsGroupAttributes: AttributeDefinition[] = [
  attribute('subscriptionId', 'string', 'The product subscription (tenant) id this profile entitles, e.g. 123-ABC-456. A Group created without it (core attributes only) entitles nothing until it is set.', { caseExact: true }),
];

function schema(id: string, name: string, description: string, attributes: AttributeDefinition[], baseUrl: string) {
  return { schemas: [SCHEMA_SCHEMA], id, name, description, attributes, meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${id}` } };
}

export function schemaDefinitions(baseUrl: string): ReturnType<typeof schema>[] {
  return [
    schema(USER_SCHEMA, 'User', 'User Account (RFC 7643 §4.1), the attributes this IMS stores.', userAttributes, baseUrl),
    schema(GROUP_SCHEMA, 'Group', 'Group (RFC 7643 §4.2): an IMS product profile.', groupAttributes, baseUrl),
    schema(IMS_USER_SCHEMA, 'ImsUser', 'IMS account attributes.', imsUserAttributes, baseUrl),
    schema(IMS_GROUP_SCHEMA, 'ImsProductProfile', 'IMS product profile attributes.', imsGroupAttributes, baseUrl),
  ];
}
