import {
  ENTERPRISE_USER_SCHEMA,
  findAttribute,
  GROUP_SCHEMA,
  USER_SCHEMA,
  type AttributeDefinition,
  type SchemaDefinition,
} from './schemas';

function at(schema: SchemaDefinition, path: string): AttributeDefinition {
  const [name, sub] = path.split('.');
  const def = findAttribute(schema.attributes, name!);
  const found = sub === undefined ? def : findAttribute(def?.subAttributes ?? [], sub);
  if (found === undefined) throw new Error(`no ${path}`);
  return found;
}

describe('schema definitions (RFC 7643 §8.7.1)', () => {
  const schemas: Record<string, SchemaDefinition> = { User: USER_SCHEMA, EnterpriseUser: ENTERPRISE_USER_SCHEMA, Group: GROUP_SCHEMA };

  it.each<[string, string, Partial<AttributeDefinition>]>([
    ['User', 'userName', { type: 'string', required: true, caseExact: false, uniqueness: 'server', mutability: 'readWrite' }],
    ['User', 'id', { caseExact: true, mutability: 'readOnly', returned: 'always' }],
    ['User', 'externalId', { caseExact: true, mutability: 'readWrite' }],
    ['User', 'password', { mutability: 'writeOnly', returned: 'never' }],
    ['User', 'active', { type: 'boolean', multiValued: false }],
    ['User', 'emails', { type: 'complex', multiValued: true }],
    ['User', 'emails.value', { type: 'string', caseExact: false }],
    ['User', 'emails.primary', { type: 'boolean' }],
    ['User', 'groups', { mutability: 'readOnly', multiValued: true }],
    ['User', 'name.givenName', { type: 'string' }],
    ['User', 'x509Certificates.value', { type: 'binary' }],
    ['User', 'meta', { mutability: 'readOnly' }],
    ['EnterpriseUser', 'manager', { type: 'complex', multiValued: false }],
    ['EnterpriseUser', 'manager.displayName', { mutability: 'readOnly' }],
    ['EnterpriseUser', 'employeeNumber', { type: 'string' }],
    ['Group', 'displayName', { required: true }],
    ['Group', 'members', { multiValued: true, type: 'complex' }],
    ['Group', 'members.value', { mutability: 'immutable' }],
  ])('%s defines %s as %p', (schema, path, expected) => {
    expect(at(schemas[schema]!, path)).toMatchObject(expected);
  });

  it.each(['USERNAME', 'username', 'UserName'])('finds userName case-insensitively as %s', (name) => {
    expect(findAttribute(USER_SCHEMA.attributes, name)?.name).toBe('userName');
  });
});
