import { parseAccountId, toAccountId } from './account-id';

const ORG = '0b6f1c3e-8a1d-4c55-9c43-6f1b2a3c4d5e';
const USER = '7d9e2f10-1b2c-4d3e-8f40-5a6b7c8d9e0f';

describe('account id', () => {
  it('round-trips organisation and user', () => {
    expect(parseAccountId(toAccountId({ organisationId: ORG, userId: USER }))).toEqual({ organisationId: ORG, userId: USER });
  });

  it.each([
    ['no separator', ORG],
    ['three parts', `${ORG}:${USER}:${USER}`],
    ['an upper-case id', `${ORG.toUpperCase()}:${USER}`],
    ['an empty user', `${ORG}:`],
    ['not uuids', 'acme:ada'],
  ])('rejects %s', (_what, value) => {
    expect(parseAccountId(value)).toBeUndefined();
  });
});
