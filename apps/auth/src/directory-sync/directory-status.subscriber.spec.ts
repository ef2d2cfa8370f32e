import { EVENT_TYPES, parseIdentityEvent, type IdentityEvent } from '@taskize/identity-events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNT_STATUS_MENTIONS, accountStatusOf } from './directory-status.subscriber';

/** The publisher's golden fixtures (libs/contracts/identity-events): auth consumes them like any subscriber. */
const FIXTURES = join(__dirname, '../../../../libs/contracts/identity-events/src/fixtures');
const fixture = (type: string): IdentityEvent => parseIdentityEvent(readFileSync(join(FIXTURES, `${type.replace('com.taskize.identity.', '')}.json`)));
const TENANT = '3f1c0b6e-2f4d-4c61-9a0e-6a1f7a3c2b10';
const ACCOUNT = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

describe('accountStatusOf (identity event → the linked account may sign in or not)', () => {
  it.each([
    [EVENT_TYPES.userCreated, false],
    [EVENT_TYPES.userUpdated, false],
    [EVENT_TYPES.userDeactivated, true],
    [EVENT_TYPES.userReactivated, false],
    [EVENT_TYPES.userDeleted, true],
  ])('%s → deactivated %s', (type, deactivated) => {
    expect(accountStatusOf(fixture(type))).toEqual({ organisationId: TENANT, accountId: ACCOUNT, deactivated });
  });

  it.each([EVENT_TYPES.groupPushed, EVENT_TYPES.groupUpdated, EVENT_TYPES.groupDeleted])('%s concerns no account', (type) => {
    expect(accountStatusOf(fixture(type))).toBeUndefined();
  });

  it('ignores users that no account is linked to', () => {
    const created = fixture(EVENT_TYPES.userCreated) as IdentityEvent<typeof EVENT_TYPES.userCreated>;
    const { taskizeAccountId: _, ...user } = created.data.user;
    expect(accountStatusOf({ ...created, data: { user } })).toBeUndefined();
    const deleted = fixture(EVENT_TYPES.userDeleted) as IdentityEvent<typeof EVENT_TYPES.userDeleted>;
    expect(accountStatusOf({ ...deleted, data: { id: deleted.data.id, userName: deleted.data.userName } })).toBeUndefined();
  });
});

describe('ACCOUNT_STATUS_MENTIONS (the bytes auth looks for before parsing an event)', () => {
  const created = fixture(EVENT_TYPES.userCreated) as IdentityEvent<typeof EVENT_TYPES.userCreated>;
  const deleted = fixture(EVENT_TYPES.userDeleted) as IdentityEvent<typeof EVENT_TYPES.userDeleted>;
  const { taskizeAccountId: _, ...unlinked } = created.data.user;
  const events: [string, IdentityEvent][] = [
    ...Object.values(EVENT_TYPES).map((type): [string, IdentityEvent] => [type, fixture(type)]),
    ['user.created, no account linked', { ...created, data: { user: unlinked } }],
    ['user.deleted, no account linked', { ...deleted, data: { id: deleted.data.id, userName: deleted.data.userName } }],
  ];

  // As the relay writes them (JSON.stringify of the stored event): every event accountStatusOf acts on is kept,
  // and the unlinked users, the bulk of provisioning, are skipped unparsed.
  it.each(events)('%s: kept exactly when it concerns an account', (_name, event) => {
    expect(Buffer.from(JSON.stringify(event)).includes(ACCOUNT_STATUS_MENTIONS)).toBe(accountStatusOf(event) !== undefined);
  });
});
