import { ScimError } from '@taskize/scim-core';
import { parseFilter } from '@taskize/scim-filter';
import { CursorCache, isSelective, keysetOrOffset, resolveSort, type SortKey } from './paging';

const INDEXED = new Set(['id', 'username', 'externalid', 'displayname', 'emails.value']);
const RANGED = new Set(['meta.lastmodified']);

describe('isSelective (the tooMany rule)', () => {
  it.each([
    ['userName eq "a"', true],
    ['USERNAME Eq "a"', true],
    ['userName sw "ad"', true],
    ['emails.value eq "a@b.c"', true],
    ['emails[type eq "work"].value eq "a@b.c"', true],
    ['emails[type eq "work" and value eq "a@b.c"]', true],
    ['externalId eq "x" and active eq true', true],
    ['active eq true and userName eq "a"', true],
    ['userName eq "a" or externalId eq "b"', true],
    ['meta.lastModified gt "2026-01-01T00:00:00Z"', true],
    ['userName co "a"', false],
    ['userName ew ".com"', false],
    ['userName ne "a"', false],
    ['active eq false', false],
    ['userName eq "a" or active eq false', false],
    ['not (userName eq "a")', false],
    ['title pr', false],
    ['emails[type eq "work"]', false],
    ['userName eq null', false],
  ])('%s → %s', (text, expected) => {
    expect(isSelective(parseFilter(text), INDEXED, RANGED)).toBe(expected);
  });
});

describe('keysetOrOffset', () => {
  const id: SortKey = { column: 'u.id', nullable: false };
  const userName: SortKey = { column: 'u.user_name_lower', nullable: false };
  const displayName: SortKey = { column: 'u.display_name_lower', nullable: true };

  it('seeks past the cursor when one is known (sort by id)', () => {
    expect(keysetOrOffset(id, 'u.id', false, { value: 'x', id: 'abc' }, 101)).toMatchObject({ where: 'u.id > ?', whereParams: ['abc'], orderBy: 'u.id ASC', limitTail: 'LIMIT ?' });
  });

  it('seeks on (sort value, id) descending', () => {
    expect(keysetOrOffset(userName, 'u.id', true, { value: 'm', id: 'i' }, 51)).toMatchObject({
      where: '(u.user_name_lower < ? OR (u.user_name_lower = ? AND u.id < ?))',
      whereParams: ['m', 'm', 'i'],
      orderBy: 'u.user_name_lower DESC, u.id DESC',
    });
  });

  it.each([
    ['no cursor', id, undefined],
    ['a nullable sort key', displayName, { value: null, id: 'i' }],
  ])('falls back to OFFSET with %s', (_, sort, cursor) => {
    expect(keysetOrOffset(sort, 'u.id', false, cursor, 201)).toMatchObject({ where: '1=1', limitTail: 'LIMIT ? OFFSET ?', tailParams: [200] });
  });
});

describe('resolveSort', () => {
  const keys = { username: { column: 'u.user_name_lower', nullable: false }, id: { column: 'u.id', nullable: false } };
  it('accepts attribute names in any case and the core schema prefix', () => {
    expect(resolveSort('UserName', 'Descending', keys, keys.id)).toEqual({ sort: keys.username, descending: true });
    expect(resolveSort('urn:ietf:params:scim:schemas:core:2.0:User:userName', undefined, keys, keys.id).sort).toBe(keys.username);
  });
  it.each([
    ['an unknown sortBy', 'title', undefined],
    ['an unknown sortOrder', 'userName', 'sideways'],
  ])('answers invalidValue for %s', (_, by, order) => {
    expect(() => resolveSort(by, order, keys, keys.id)).toThrow(ScimError);
  });
});

describe('CursorCache', () => {
  it('forgets the oldest entry beyond its size and expired entries', () => {
    const cache = new CursorCache(2, 60_000);
    cache.set('a', { value: 1, id: 'a' });
    cache.set('b', { value: 2, id: 'b' });
    cache.set('c', { value: 3, id: 'c' });
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toEqual({ value: 3, id: 'c' });
    const expired = new CursorCache(10, -1);
    expired.set('x', { value: 0, id: 'x' });
    expect(expired.get('x')).toBeUndefined();
  });
});
