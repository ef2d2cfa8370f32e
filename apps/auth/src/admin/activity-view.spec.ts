import { formatTime, outcomeLabel } from './activity-view';

describe('outcomeLabel', () => {
  it.each([
    [201, 'Created (201)', true],
    [200, 'Applied (200)', true],
    [204, 'Applied (204)', true],
    [400, 'Rejected: invalid request (400)', false],
    [409, 'Rejected: already exists (409)', false],
    [412, 'Rejected: version mismatch (412)', false],
    [500, 'Failed (500)', false],
    [202, 'Applied (202)', true],
  ])('%i → "%s"', (status, text, ok) => {
    expect(outcomeLabel(status)).toEqual({ text, ok });
  });
});

describe('formatTime', () => {
  it.each([
    ['2026-11-29T10:00:00.123Z', '2026-11-29 10:00:00 UTC'],
    [new Date('2026-01-02T03:04:05Z'), '2026-01-02 03:04:05 UTC'],
    [null, '—'],
    [undefined, '—'],
    ['not a date', '—'],
  ])('%p → %s', (value, expected) => {
    expect(formatTime(value)).toBe(expected);
  });
});
