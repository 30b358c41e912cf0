// Discovery documents (RFC 7643 §5–§7, RFC 7644 §4). The HTTP layer wraps lists in ListResponse.
// Absent characteristics are omitted, never sent as null; emails.type lists "work" and
// phoneNumbers.type "mobile" so the validator's flattening finds Entra's default mappings.
import { ENTERPRISE_ATTRIBUTES, EXTERNAL_ID, GROUP_ATTRIBUTES, USER_ATTRIBUTES, type AttrDef } from './schema-defs.ts';
import { ENTERPRISE_URN, GROUP_URN, RESOURCE_TYPE_URN, SCHEMA_URN, SPC_URN, USER_URN } from './urns.ts';

export interface SpcOptions {
  baseUrl: string;
  maxResults: number;
  bulkMaxOperations: number;
  bulkMaxPayloadBytes: number;
  documentationUri?: string;
}

export function serviceProviderConfig(o: SpcOptions): object {
  return {
    schemas: [SPC_URN],
    ...(o.documentationUri ? { documentationUri: o.documentationUri } : {}),
    patch: { supported: true },
    bulk: { supported: true, maxOperations: o.bulkMaxOperations, maxPayloadSize: o.bulkMaxPayloadBytes },
    filter: { supported: true, maxResults: o.maxResults },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication with an OAuth 2.0 access token issued by this service (authorization-code grant).',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${o.baseUrl}/ServiceProviderConfig` },
  };
}

function render(d: AttrDef): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: d.name,
    type: d.type,
    multiValued: d.multiValued,
    description: d.description,
    required: d.required,
    caseExact: d.caseExact,
    mutability: d.mutability,
    returned: d.returned,
    uniqueness: d.uniqueness,
  };
  if (d.canonicalValues?.length) out.canonicalValues = d.canonicalValues;
  if (d.referenceTypes?.length) out.referenceTypes = d.referenceTypes;
  if (d.subAttributes) out.subAttributes = d.subAttributes.map(render);
  return out;
}

function schemaDoc(baseUrl: string, id: string, name: string, description: string, attrs: AttrDef[]): object {
  return {
    schemas: [SCHEMA_URN],
    id,
    name,
    description,
    attributes: attrs.map(render),
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${id}` },
  };
}

export function schemas(baseUrl: string): object[] {
  return [
    schemaDoc(baseUrl, USER_URN, 'User', 'User Account', [...USER_ATTRIBUTES, EXTERNAL_ID]),
    schemaDoc(baseUrl, ENTERPRISE_URN, 'EnterpriseUser', 'Enterprise User', ENTERPRISE_ATTRIBUTES),
    schemaDoc(baseUrl, GROUP_URN, 'Group', 'Group', [...GROUP_ATTRIBUTES, EXTERNAL_ID]),
  ];
}

export function resourceTypes(baseUrl: string): object[] {
  return [
    {
      schemas: [RESOURCE_TYPE_URN],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: USER_URN,
      schemaExtensions: [{ schema: ENTERPRISE_URN, required: false }],
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` },
    },
    {
      schemas: [RESOURCE_TYPE_URN],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: GROUP_URN,
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/Group` },
    },
  ];
}
