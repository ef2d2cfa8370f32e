import { type ActivityRow, groupActivity, isError } from './activity';

const at = new Date('2026-11-29T10:00:00.000Z');
const row = (eventId: string, out?: [string, string, number], status = 201): ActivityRow => ({
  event_id: eventId,
  event_type: 'UserCreated',
  status,
  processed_at: at,
  out_event_type: out?.[0] ?? null,
  out_resource_id: out?.[1] ?? null,
  out_version: out?.[2] ?? null,
});

describe('groupActivity', () => {
  it.each([
    ['no rows as no requests', [], []],
    ['a rejected request with no event', [row('e1', undefined, 409)], [{ eventId: 'e1', status: 409, events: [] }]],
    [
      'one request with the event it produced',
      [row('e1', ['com.taskize.identity.user.created', 'u1', 1])],
      [{ eventId: 'e1', status: 201, events: [{ eventType: 'com.taskize.identity.user.created', resourceId: 'u1', version: 1 }] }],
    ],
    [
      'several events of one request under it, in row order, and requests in row order',
      [row('e2', ['a', 'g1', 3]), row('e2', ['b', 'u9', 2]), row('e1', ['c', 'u1', 1])],
      [
        { eventId: 'e2', status: 201, events: [{ eventType: 'a', resourceId: 'g1', version: 3 }, { eventType: 'b', resourceId: 'u9', version: 2 }] },
        { eventId: 'e1', status: 201, events: [{ eventType: 'c', resourceId: 'u1', version: 1 }] },
      ],
    ],
  ])('groups %s', (_name, rows, expected) => {
    expect(groupActivity(rows as ActivityRow[])).toMatchObject(expected);
  });

  it('renders processed_at as ISO 8601', () => {
    expect(groupActivity([row('e1')])[0]?.processedAt).toBe('2026-11-29T10:00:00.000Z');
  });
});

describe('isError', () => {
  it.each([
    [200, false],
    [201, false],
    [204, false],
    [399, false],
    [400, true],
    [409, true],
    [500, true],
  ])('status %i → %s', (status, expected) => {
    expect(isError(status)).toBe(expected);
  });
});
