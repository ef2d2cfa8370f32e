import { grantedScopes, scopesFor } from './scopes';

describe('scopesFor', () => {
  it.each([
    ['/scim/v2/Users', ['scim:users']],
    ['/scim/v2/Users/:id', ['scim:users']],
    ['/scim/v2/Groups', ['scim:groups']],
    ['/scim/v2/Groups/:id', ['scim:groups']],
    ['/scim/v2/ServiceProviderConfig', ['scim:users', 'scim:groups']],
    ['/scim/v2/Schemas/:urn', ['scim:users', 'scim:groups']],
    ['/scim/v2/ResourceTypes', ['scim:users', 'scim:groups']],
    ['/scim/v2/users', undefined],
    ['/scim/v2/Widgets', undefined],
    ['/scim/v2/constructor', undefined],
    ['/healthz', undefined],
    ['', undefined],
  ])('%s needs %j', (route, expected) => {
    expect(scopesFor(route)).toEqual(expected);
  });
});

describe('grantedScopes', () => {
  it.each([
    ['scim:users scim:groups', ['scim:users', 'scim:groups']],
    ['scim:users  openid', ['scim:users', 'openid']],
    ['', []],
  ])('splits "%s" on spaces', (scope, expected) => {
    expect([...grantedScopes(scope)]).toEqual(expected);
  });
});
