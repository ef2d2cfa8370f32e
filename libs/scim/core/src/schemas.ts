export const SCHEMA_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCHEMA_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const SCHEMA_ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const SCHEMA_LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SCHEMA_PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SCHEMA_SERVICE_PROVIDER_CONFIG = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const SCHEMA_RESOURCE_TYPE = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
/** Entra adds this to `schemas` on POST /Groups; it carries no attributes we store. */
export const SCHEMA_ENTRA_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

/** RFC 7643 §2.3 data types. */
export type AttributeType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'binary' | 'reference' | 'complex';
/** RFC 7643 §7 `mutability`. */
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
/** RFC 7643 §7 `returned`. */
export type Returned = 'always' | 'never' | 'default' | 'request';
/** RFC 7643 §7 `uniqueness`. */
export type Uniqueness = 'none' | 'server' | 'global';

/** One attribute definition as served by /Schemas (RFC 7643 §7) and used to validate bodies. */
export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description?: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
  readonly subAttributes?: readonly AttributeDefinition[];
}

export interface SchemaDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDefinition[];
}

type AttrOptions = Partial<Omit<AttributeDefinition, 'name' | 'type'>>;

// RFC 7643 §7 defaults: not multi-valued, not required, caseExact false, readWrite, returned default, uniqueness none.
function attr(name: string, type: AttributeType, options: AttrOptions = {}): AttributeDefinition {
  return {
    name,
    type,
    multiValued: false,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  };
}

const str = (name: string, options: AttrOptions = {}) => attr(name, 'string', options);

/** RFC 7643 §2.4: the default sub-attributes of a multi-valued attribute (value, display, type, primary). */
function multiValued(
  name: string,
  canonicalTypes: readonly string[],
  valueDef: AttributeDefinition = str('value'),
  options: AttrOptions = {},
): AttributeDefinition {
  return attr(name, 'complex', {
    multiValued: true,
    subAttributes: [
      valueDef,
      str('display'),
      str('type', canonicalTypes.length > 0 ? { canonicalValues: canonicalTypes } : {}),
      attr('primary', 'boolean'),
    ],
    ...options,
  });
}

/**
 * RFC 7643 §3.1 common attributes. `id` is server-assigned (readOnly, returned always, caseExact);
 * `externalId` belongs to the client and is caseExact.
 */
export const COMMON_ATTRIBUTES: readonly AttributeDefinition[] = [
  str('id', { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' }),
  str('externalId', { caseExact: true }),
  attr('meta', 'complex', {
    mutability: 'readOnly',
    subAttributes: [
      str('resourceType', { caseExact: true, mutability: 'readOnly' }),
      attr('created', 'dateTime', { mutability: 'readOnly' }),
      attr('lastModified', 'dateTime', { mutability: 'readOnly' }),
      attr('location', 'reference', { caseExact: true, mutability: 'readOnly', referenceTypes: ['uri'] }),
      str('version', { caseExact: true, mutability: 'readOnly' }),
    ],
  }),
];

/** RFC 7643 §8.7.1 User schema (plus the §3.1 common attributes so one lookup covers a whole body). */
export const USER_SCHEMA: SchemaDefinition = {
  id: SCHEMA_USER,
  name: 'User',
  description: 'User Account',
  attributes: [
    ...COMMON_ATTRIBUTES,
    str('userName', { required: true, uniqueness: 'server' }),
    attr('name', 'complex', {
      subAttributes: [
        str('formatted'),
        str('familyName'),
        str('givenName'),
        str('middleName'),
        str('honorificPrefix'),
        str('honorificSuffix'),
      ],
    }),
    str('displayName'),
    str('nickName'),
    attr('profileUrl', 'reference', { referenceTypes: ['external'] }),
    str('title'),
    str('userType'),
    str('preferredLanguage'),
    str('locale'),
    str('timezone'),
    attr('active', 'boolean'),
    str('password', { mutability: 'writeOnly', returned: 'never' }),
    multiValued('emails', ['work', 'home', 'other']),
    multiValued('phoneNumbers', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
    multiValued('ims', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
    multiValued('photos', ['photo', 'thumbnail'], attr('value', 'reference', { referenceTypes: ['external'] })),
    attr('addresses', 'complex', {
      multiValued: true,
      subAttributes: [
        str('formatted'),
        str('streetAddress'),
        str('locality'),
        str('region'),
        str('postalCode'),
        str('country'),
        str('type', { canonicalValues: ['work', 'home', 'other'] }),
        // §4.1.2 lists `primary` for addresses although the §8.7.1 representation omits it.
        attr('primary', 'boolean'),
      ],
    }),
    attr('groups', 'complex', {
      multiValued: true,
      mutability: 'readOnly',
      subAttributes: [
        str('value', { mutability: 'readOnly' }),
        attr('$ref', 'reference', { mutability: 'readOnly', referenceTypes: ['User', 'Group'] }),
        str('display', { mutability: 'readOnly' }),
        str('type', { mutability: 'readOnly', canonicalValues: ['direct', 'indirect'] }),
      ],
    }),
    multiValued('entitlements', []),
    multiValued('roles', []),
    multiValued('x509Certificates', [], attr('value', 'binary')),
  ],
};

/** RFC 7643 §4.3 / §8.7.1 Enterprise User extension. */
export const ENTERPRISE_USER_SCHEMA: SchemaDefinition = {
  id: SCHEMA_ENTERPRISE_USER,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    str('employeeNumber'),
    str('costCenter'),
    str('organization'),
    str('division'),
    str('department'),
    attr('manager', 'complex', {
      subAttributes: [
        str('value'),
        attr('$ref', 'reference', { referenceTypes: ['User'] }),
        str('displayName', { mutability: 'readOnly' }),
      ],
    }),
  ],
};

/**
 * RFC 7643 §4.2 / §8.7.1 Group schema. §4.2 calls displayName REQUIRED although the §8.7.1 representation says
 * `required: false`; we follow the prose. `display` on members is not in §8.7.1 but Okta sends it on PATCH.
 */
export const GROUP_SCHEMA: SchemaDefinition = {
  id: SCHEMA_GROUP,
  name: 'Group',
  description: 'Group',
  attributes: [
    ...COMMON_ATTRIBUTES,
    str('displayName', { required: true }),
    attr('members', 'complex', {
      multiValued: true,
      subAttributes: [
        str('value', { mutability: 'immutable' }),
        attr('$ref', 'reference', { mutability: 'immutable', referenceTypes: ['User', 'Group'] }),
        str('display', { mutability: 'immutable' }),
        str('type', { mutability: 'immutable', canonicalValues: ['User', 'Group'] }),
      ],
    }),
  ],
};

/** RFC 7643 §2.1: attribute names are case-insensitive. */
export function findAttribute(
  attributes: readonly AttributeDefinition[],
  name: string,
): AttributeDefinition | undefined {
  const lower = name.toLowerCase();
  return attributes.find((a) => a.name.toLowerCase() === lower);
}
