/** The discovery endpoints (RFC 7644 §4): /ServiceProviderConfig, /ResourceTypes, /Schemas. */
import type { BulkLimits } from './scim-bulk-request.ts';
import {
  GROUP_SCHEMA,
  IMS_GROUP_SCHEMA,
  IMS_USER_SCHEMA,
  RESOURCE_TYPE_SCHEMA,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
  USER_SCHEMA,
} from './scim-schemas.ts';

/** Largest page a list returns, whatever `count` asks for (RFC 7644 §3.4.2.4 lets the provider cap it). */
export const MAX_RESULTS = 200;

export function serviceProviderConfig(baseUrl: string, documentationUri: string | undefined, bulk: BulkLimits | false) {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    ...(documentationUri === undefined ? {} : { documentationUri }),
    patch: { supported: true },
    bulk: bulk === false ? { supported: false, maxOperations: 0, maxPayloadSize: 0 } : { supported: true, ...bulk },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'An access token from the client credentials grant at /ims/admin/token (RFC 6749 §4.4), bound to one organization.',
        specUri: 'https://www.rfc-editor.org/rfc/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypes(baseUrl: string) {
  return [
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'An IMS account as one organization sees it.',
      schema: USER_SCHEMA,
      schemaExtensions: [{ schema: IMS_USER_SCHEMA, required: false }],
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` },
    },
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'An IMS product profile: the organization\'s entitlement to one product subscription.',
      schema: GROUP_SCHEMA,
      schemaExtensions: [{ schema: IMS_GROUP_SCHEMA, required: false }],
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/Group` },
    },
  ];
}
