import { ScimError } from '@taskize/scim-core';
import fc from 'fast-check';
import { matchesFilter } from './evaluate';
import { parseFilter } from './parse';

const user = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
  id: '2819c223-7f76-453a-919d-413861904646',
  externalId: 'Ext-1',
  userName: 'Bjensen@Example.com',
  name: { givenName: 'Barbara', familyName: "O'Malley" },
  title: '',
  active: true,
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  meta: { lastModified: '2024-01-02T10:00:00Z', version: 'W/"3"' },
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '701984', manager: { value: 'm-1' } },
};

describe('matchesFilter', () => {
  const cases: [string, boolean][] = [
    ['userName eq "bjensen@example.com"', true],
    ['USERNAME EQ "BJENSEN@EXAMPLE.COM"', true],
    ['userName eq "other"', false],
    ['userName ne "other"', true],
    ['userName sw "bjen"', true],
    ['userName ew ".COM"', true],
    ['userName co "example"', true],
    ['name.familyName co "o\'mal"', true],
    ['title pr', false],
    ['nickName pr', false],
    ['nickName ne "x"', true],
    ['nickName eq null', true],
    ['title eq null', true],
    ['userName ne null', true],
    ['active eq true', true],
    ['active eq false', false],
    ['active ne false', true],
    ['active eq "true"', false],
    ['emails eq "babs@jensen.org"', true],
    ['emails.value co "jensen.org"', true],
    ['emails.type eq "other"', false],
    ['emails pr', true],
    ['emails[type eq "work" and primary eq true]', true],
    ['emails[type eq "home" and primary eq true]', false],
    ['emails[type eq "work"].value eq "bjensen@example.com"', true],
    // Same element: the work address is not babs@….
    ['emails[type eq "work"].value eq "babs@jensen.org"', false],
    ['emails[not (type eq "work")]', true],
    ['meta.lastModified gt "2024-01-02T11:00:00+02:00"', true],
    ['meta.lastModified lt "2024-01-01T00:00:00Z"', false],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"', true],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m-1"', true],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "b"', true],
    ['not (userName eq "bjensen@example.com") or active eq true', true],
    ['userName eq "bjensen@example.com" and not (active eq true)', false],
  ];

  it.each(cases)('evaluates %s to %p', (filter, expected) => {
    expect(matchesFilter(parseFilter(filter), user)).toBe(expected);
  });

  it.each([
    ['externalId eq "ext-1"', false],
    ['externalId eq "Ext-1"', true],
  ])('honours caseExact: %s is %p', (filter, expected) => {
    const caseExact = (path: { attr: string }) => path.attr === 'externalid';
    expect(matchesFilter(parseFilter(filter), user, { caseExact })).toBe(expected);
  });

  it.each([
    ['value eq "2819c223"', { value: '2819c223', display: 'Babs' }, true],
    ['value eq "other"', { value: '2819c223' }, false],
  ])('matches PATCH member element %p against %p', (filter, element, expected) => {
    expect(matchesFilter(parseFilter(filter), element)).toBe(expected);
  });

  it('throws nothing on arbitrary resources', () => {
    const filters = ['emails[type eq "work"].value eq "x"', 'userName gt "a"', 'x.y pr', 'not (a eq 1)', 'meta.lastModified ge "2020-01-01"'].map(parseFilter);
    fc.assert(
      fc.property(fc.constantFrom(...filters), fc.jsonValue(), (filter, resource) => {
        try {
          expect(typeof matchesFilter(filter, resource)).toBe('boolean');
        } catch (e) {
          if (!(e instanceof ScimError)) throw e;
        }
      }),
    );
  });
});
