import {
  type AttributeDefinition,
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  type ListResponse,
  SCHEMA_ENTERPRISE_USER,
  SCHEMA_GROUP,
  SCHEMA_RESOURCE_TYPE,
  SCHEMA_SCHEMA,
  SCHEMA_SERVICE_PROVIDER_CONFIG,
  SCHEMA_USER,
  type SchemaDefinition,
  USER_SCHEMA,
  listResponse,
} from '@taskize/scim-core';

/**
 * What this service implements (RFC 7643 §5). The one place to keep the discovery answer truthful: change a flag
 * here in the same change that adds or removes the feature. `filter.maxResults` is the directory read API's cap on
 * `count` (apps/directory/src/read-api/read-api.controller.ts).
 */
export const SERVICE_PROVIDER_FEATURES = {
  patch: { supported: true },
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: 1000 },
  changePassword: { supported: false },
  sort: { supported: true },
  etag: { supported: true },
  authenticationSchemes: [
    {
      type: 'oauthbearertoken',
      name: 'OAuth Bearer Token',
      description: 'Authentication with an OAuth 2.0 bearer token (RFC 6750)',
      specUri: 'https://www.rfc-editor.org/info/rfc6750',
      primary: true,
    },
  ],
} as const;

/** The schemas served by /Schemas, in list order. */
export const SCHEMA_DEFINITIONS: readonly SchemaDefinition[] = [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA];

interface ResourceTypeDefinition {
  readonly name: string;
  readonly description: string;
  readonly endpoint: string;
  readonly schema: string;
  readonly schemaExtensions: readonly { readonly schema: string; readonly required: boolean }[];
}

/** RFC 7643 §6 / §8.6. The enterprise extension is optional: neither Okta nor Entra sends it on every user. */
export const RESOURCE_TYPE_DEFINITIONS: readonly ResourceTypeDefinition[] = [
  {
    name: 'User',
    description: 'User Account',
    endpoint: '/Users',
    schema: SCHEMA_USER,
    schemaExtensions: [{ schema: SCHEMA_ENTERPRISE_USER, required: false }],
  },
  { name: 'Group', description: 'Group', endpoint: '/Groups', schema: SCHEMA_GROUP, schemaExtensions: [] },
];

export interface ServiceProviderConfigDocument {
  schemas: [string];
  documentationUri?: string;
  patch: { supported: boolean };
  bulk: { supported: boolean; maxOperations: number; maxPayloadSize: number };
  filter: { supported: boolean; maxResults: number };
  changePassword: { supported: boolean };
  sort: { supported: boolean };
  etag: { supported: boolean };
  authenticationSchemes: { type: string; name: string; description: string; specUri: string; primary: boolean }[];
  meta: { resourceType: 'ServiceProviderConfig'; location: string };
}

export interface ResourceTypeDocument {
  schemas: [string];
  id: string;
  name: string;
  description: string;
  endpoint: string;
  schema: string;
  schemaExtensions?: { schema: string; required: boolean }[];
  meta: { resourceType: 'ResourceType'; location: string };
}

/** RFC 7643 §7 attribute characteristics as JSON; optional characteristics appear only when defined. */
export interface AttributeDocument {
  name: string;
  type: string;
  multiValued: boolean;
  description?: string;
  required: boolean;
  caseExact: boolean;
  mutability: string;
  returned: string;
  uniqueness: string;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDocument[];
}

export interface SchemaDocument {
  schemas: [string];
  id: string;
  name: string;
  description: string;
  attributes: AttributeDocument[];
  meta: { resourceType: 'Schema'; location: string };
}

export interface DiscoveryDocuments {
  serviceProviderConfig: ServiceProviderConfigDocument;
  resourceTypes: ListResponse;
  schemas: ListResponse;
  /** Case-insensitive lookup by resource type name (`User`, `Group`). */
  resourceType(name: string): ResourceTypeDocument | undefined;
  /** Case-insensitive lookup by schema URN (RFC 8141 §3: the `urn` prefix and NID compare case-insensitively). */
  schema(urn: string): SchemaDocument | undefined;
}

export function renderServiceProviderConfig(baseUrl: string, documentationUri?: string): ServiceProviderConfigDocument {
  const f = SERVICE_PROVIDER_FEATURES;
  return {
    schemas: [SCHEMA_SERVICE_PROVIDER_CONFIG],
    ...(documentationUri === undefined ? {} : { documentationUri }),
    patch: { ...f.patch },
    bulk: { ...f.bulk },
    filter: { ...f.filter },
    changePassword: { ...f.changePassword },
    sort: { ...f.sort },
    etag: { ...f.etag },
    authenticationSchemes: f.authenticationSchemes.map((s) => ({ ...s })),
    // §5: unlike other resources, ServiceProviderConfig has no `id`.
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function renderResourceType(baseUrl: string, def: ResourceTypeDefinition): ResourceTypeDocument {
  return {
    schemas: [SCHEMA_RESOURCE_TYPE],
    id: def.name,
    name: def.name,
    description: def.description,
    endpoint: def.endpoint,
    schema: def.schema,
    ...(def.schemaExtensions.length > 0 ? { schemaExtensions: def.schemaExtensions.map((e) => ({ ...e })) } : {}),
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${def.name}` },
  };
}

export function renderAttribute(def: AttributeDefinition): AttributeDocument {
  return {
    name: def.name,
    type: def.type,
    multiValued: def.multiValued,
    ...(def.description === undefined ? {} : { description: def.description }),
    required: def.required,
    caseExact: def.caseExact,
    mutability: def.mutability,
    returned: def.returned,
    uniqueness: def.uniqueness,
    ...(def.canonicalValues === undefined ? {} : { canonicalValues: [...def.canonicalValues] }),
    ...(def.referenceTypes === undefined ? {} : { referenceTypes: [...def.referenceTypes] }),
    ...(def.subAttributes === undefined ? {} : { subAttributes: def.subAttributes.map(renderAttribute) }),
  };
}

/**
 * RFC 7643 §7 / §8.7. The User and Group definitions keep the §3.1 common attributes (id, externalId, meta), which
 * §3.1 allows "for backward compatibility"; clients then see `id` as readOnly and returned always.
 */
export function renderSchema(baseUrl: string, def: SchemaDefinition): SchemaDocument {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: def.id,
    name: def.name,
    description: def.description,
    attributes: def.attributes.map(renderAttribute),
    // The URN goes into the path as-is: its `:` and `.` are legal path characters (RFC 3986 §3.3).
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${def.id}` },
  };
}

/** Every discovery answer for one public base URL; built once, nothing here depends on the tenant. */
export function buildDiscoveryDocuments(baseUrl: string, opts: { documentationUri?: string } = {}): DiscoveryDocuments {
  const base = baseUrl.replace(/\/+$/, '');
  const resourceTypes = RESOURCE_TYPE_DEFINITIONS.map((d) => renderResourceType(base, d));
  const schemas = SCHEMA_DEFINITIONS.map((d) => renderSchema(base, d));
  const byName = new Map(resourceTypes.map((r) => [r.name.toLowerCase(), r]));
  const byUrn = new Map(schemas.map((s) => [s.id.toLowerCase(), s]));
  return {
    serviceProviderConfig: renderServiceProviderConfig(base, opts.documentationUri),
    // RFC 7644 §4: several ResourceTypes or Schemas come back as a ListResponse; paging is not applied.
    resourceTypes: listResponse(resourceTypes, { totalResults: resourceTypes.length, startIndex: 1 }),
    schemas: listResponse(schemas, { totalResults: schemas.length, startIndex: 1 }),
    resourceType: (name) => byName.get(name.toLowerCase()),
    schema: (urn) => byUrn.get(urn.toLowerCase()),
  };
}
