import { scimOperationLabels } from './scim-metrics';

describe('scimOperationLabels', () => {
  it.each([
    ['POST', '/scim/v2/Users', { resource: 'User', operation: 'create' }],
    ['GET', '/scim/v2/Users', { resource: 'User', operation: 'list' }],
    ['GET', '/scim/v2/Users/:id', { resource: 'User', operation: 'get' }],
    ['PUT', '/scim/v2/Groups/:id', { resource: 'Group', operation: 'replace' }],
    ['PATCH', '/scim/v2/Groups/:id', { resource: 'Group', operation: 'patch' }],
    ['DELETE', '/scim/v2/Users/:id', { resource: 'User', operation: 'delete' }],
    ['GET', '/scim/v2/ServiceProviderConfig', { resource: 'discovery', operation: 'get' }],
    ['GET', '/healthz', undefined],
    ['GET', undefined, undefined],
  ])('%s %s → %j', (method, route, expected) => {
    expect(scimOperationLabels(method, route)).toEqual(expected);
  });
});
