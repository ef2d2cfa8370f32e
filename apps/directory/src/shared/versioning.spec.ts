import { ScimError } from '@taskize/scim-core';
import { checkIfMatch, etagOf } from './versioning';

describe('If-Match', () => {
  it.each([
    ['no header', undefined],
    ['*', '*'],
    ['the weak tag we sent', 'W/"3"'],
    ['the strong form of our tag', '"3"'],
    ['a list containing our tag', 'W/"1", W/"3"'],
  ])('lets %s through for version 3', (_, header) => {
    expect(() => checkIfMatch(header, 3)).not.toThrow();
  });

  it.each([['an older version', 'W/"2"'], ['garbage', 'abc'], ['an empty list', '']])('answers 412 for %s', (_, header) => {
    try {
      checkIfMatch(header, 3);
      throw new Error('expected a ScimError');
    } catch (error) {
      expect(error).toBeInstanceOf(ScimError);
      expect((error as ScimError).status).toBe(412);
    }
  });

  it('renders weak entity tags', () => expect(etagOf(7)).toBe('W/"7"'));
});
