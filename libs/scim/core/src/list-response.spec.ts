import { listResponse } from './list-response';
import { SCHEMA_LIST_RESPONSE } from './schemas';

describe('listResponse', () => {
  it.each([
    ['an empty page (Okta pre-create lookup, Entra test connection)', [], 0, 1],
    ['a full page', [{ id: 'a' }, { id: 'b' }], 250, 101],
  ])('builds %s with integer counters and itemsPerPage = page size', (_name, resources, totalResults, startIndex) => {
    expect(listResponse(resources, { totalResults, startIndex })).toStrictEqual({
      schemas: [SCHEMA_LIST_RESPONSE],
      totalResults,
      startIndex,
      itemsPerPage: resources.length,
      Resources: resources,
    });
  });

  it('does not share the caller array', () => {
    const resources = [{ id: 'a' }];
    const page = listResponse(resources, { totalResults: 1, startIndex: 1 });
    page.Resources.push({ id: 'b' });
    expect(resources).toHaveLength(1);
  });

  it.each([
    [{ totalResults: 1.5, startIndex: 1 }],
    [{ totalResults: 1, startIndex: Number.NaN }],
    [{ totalResults: -1, startIndex: 1 }],
  ])('rejects non-integer counters %p', (opts) => {
    expect(() => listResponse([], opts)).toThrow(RangeError);
  });
});
