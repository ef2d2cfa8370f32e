import { ConfigError } from '@taskize/config';
import { loadConfig } from './config';

const REQUIRED = { KAFKA_BROKERS: '127.0.0.1:9092', INTERNAL_API_TOKEN: 'x'.repeat(32), DB_NAME: 'taskize_directory', DB_USER: 'directory' };

describe('directory config: processed_events retention', () => {
  it.each([
    ['30 days when unset', {}, 30],
    ['8 days, the least that outlives the provisioning topic (7 days)', { PROCESSED_EVENTS_RETENTION_DAYS: '8' }, 8],
    ['a year', { PROCESSED_EVENTS_RETENTION_DAYS: '365' }, 365],
  ])('keeps dedupe rows %s', (_, env, days) => {
    expect(loadConfig({ ...REQUIRED, ...env }).PROCESSED_EVENTS_RETENTION_DAYS).toBe(days);
  });

  it.each([
    ['7 days (a redelivery from the 7-day provisioning topic would find no row and be applied twice)', '7'],
    ['0 days', '0'],
    ['a fraction of a day', '8.5'],
    ['no number', 'thirty'],
  ])('refuses %s', (_, days) => {
    expect(() => loadConfig({ ...REQUIRED, PROCESSED_EVENTS_RETENTION_DAYS: days })).toThrow(ConfigError);
  });
});
