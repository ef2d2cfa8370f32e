import { UnpublishableOutboxRow, readOutboxRow } from './outbox.relay';

describe('readOutboxRow (a row the relay cannot publish names itself)', () => {
  const event = { specversion: '1.0', id: 'e1', type: 'com.taskize.identity.user.created.v1', source: '/tenants/t1', subject: 'u1', time: '2026-11-30T00:00:00.000Z', tenantid: 't1' };
  const row = (over: Partial<{ event: string; state: string | null; tenant_id: string }> = {}) => ({ seq: 42, tenant_id: 't1', event: JSON.stringify(event), state: '[{"key":"User:u1","value":{}}]', ...over });

  it('reads a well-formed row', () => {
    expect(readOutboxRow(row())).toEqual({ event, state: [{ key: 'User:u1', value: {} }] });
    expect(readOutboxRow(row({ state: null })).state).toEqual([]);
  });

  it.each([
    ['event not JSON', row({ event: '{' }), 'not JSON'],
    ['state not JSON', row({ state: '[' }), 'not JSON'],
    ['event without a tenant (what a hand-written row looked like)', row({ event: JSON.stringify({ ...event, tenantid: undefined }) }), 'event without tenantid'],
    ['event without several fields', row({ event: JSON.stringify({ specversion: '1.0', id: 'e1' }) }), 'event without type, source, subject, time, tenantid'],
    ["another tenant's event", row({ tenant_id: 't2' }), "event's tenantid is not the row's tenant"],
    ['state records without keys', row({ state: '[{"value":{}}]' }), 'state is not a list of keyed records'],
  ] as const)('%s: refused with the seq and the reason', (_case, input, reason) => {
    expect(() => readOutboxRow(input)).toThrow(UnpublishableOutboxRow);
    expect(() => readOutboxRow(input)).toThrow(`outbox row seq=42 cannot be published (${reason})`);
  });
});
