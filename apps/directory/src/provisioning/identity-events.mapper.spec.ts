import { EVENT_TYPES } from '@taskize/identity-events';
import type { StoredUser } from '@taskize/scim-core';
import { identityEventsFor } from './identity-events.mapper';

const ctx = { tenantId: '3f1c0b6e-2f4d-4c61-9a0e-6a1f7a3c2b10', causationId: 'c2d5f8a1-3b4c-4d5e-9f60-718293a4b5c6' };
const ACCOUNT = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const ada: StoredUser = {
  id: '0b7e2c1a-9d3f-4e5b-8a6c-1f2e3d4c5b6a',
  attributes: { userName: 'ada@example.com', active: true, emails: [{ value: 'ada@example.com', type: 'work', primary: true }] },
  created: '2026-11-30T01:00:00.000Z',
  lastModified: '2026-11-30T01:00:00.000Z',
  version: 1,
};
const linked: StoredUser = { ...ada, accountId: ACCOUNT, version: 2, lastModified: '2026-11-30T01:05:00.000Z' };

/** One person, one identity (issue 5 item 7): the account link as subscribers see it. */
describe('identity events of an account link', () => {
  it.each([
    ['a user created for an account carries the account id', { kind: 'userCreated' as const, user: { ...ada, accountId: ACCOUNT } }, EVENT_TYPES.userCreated, { user: { id: ada.id, taskizeAccountId: ACCOUNT, ...ada.attributes } }],
    [
      'an existing user linked to an account is updated with changedAttributes taskizeAccountId',
      { kind: 'userUpdated' as const, before: ada, after: linked },
      EVENT_TYPES.userUpdated,
      { user: { id: ada.id, taskizeAccountId: ACCOUNT, ...ada.attributes }, changedAttributes: ['taskizeAccountId'] },
    ],
    ['a deleted linked user names its account', { kind: 'userDeleted' as const, before: linked, groups: [] }, EVENT_TYPES.userDeleted, { id: ada.id, userName: 'ada@example.com', taskizeAccountId: ACCOUNT }],
    ['a user no account is linked to carries none', { kind: 'userCreated' as const, user: ada }, EVENT_TYPES.userCreated, { user: { id: ada.id, ...ada.attributes } }],
  ])('%s', (_, change, type, data) => {
    const [entry, ...rest] = identityEventsFor(change, ctx);
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({ type, data });
    expect(entry?.data).toStrictEqual(data);
  });

  it('a linked user deactivated by SCIM keeps its account id on the event and in the state record', () => {
    const after: StoredUser = { ...linked, attributes: { ...linked.attributes, active: false }, version: 3 };
    const [entry] = identityEventsFor({ kind: 'userUpdated', before: linked, after }, ctx);
    expect(entry).toMatchObject({ type: EVENT_TYPES.userDeactivated, data: { user: { taskizeAccountId: ACCOUNT, active: false }, changedAttributes: ['active'] } });
    expect(entry?.state[0]?.value).toMatchObject({ user: { taskizeAccountId: ACCOUNT, active: false } });
  });
});
