import { ConfigError, dbFields, httpFields, kafkaFields, loadEnv, z } from './load-env';

const schema = z.object({ ...httpFields(3000), ...kafkaFields, ...dbFields });

describe('loadEnv', () => {
  it('returns a frozen, typed object with defaults applied', () => {
    const cfg = loadEnv('svc', schema, { KAFKA_BROKERS: '127.0.0.1:9092, b:9093', DB_NAME: 'x', DB_USER: 'u' });
    expect(cfg).toMatchObject({ HTTP_HOST: '127.0.0.1', HTTP_PORT: 3000, KAFKA_BROKERS: ['127.0.0.1:9092', 'b:9093'], DB_PORT: 3306 });
    expect(Object.isFrozen(cfg)).toBe(true);
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadEnv('svc', schema, { HTTP_PORT: 'abc', KAFKA_BROKERS: 'nohost', DB_NAME: 'bad-name' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(problems).toEqual(expect.arrayContaining(['HTTP_PORT', 'KAFKA_BROKERS.0', 'DB_NAME', 'DB_USER']));
    expect((error as ConfigError).message).toContain('svc: invalid configuration');
  });

  it('treats empty strings as unset', () => {
    const cfg = loadEnv('svc', schema, { KAFKA_BROKERS: 'a:1', DB_NAME: 'x', DB_USER: 'u', HTTP_PORT: '' });
    expect(cfg.HTTP_PORT).toBe(3000);
  });
});
