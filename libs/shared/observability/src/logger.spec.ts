import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { withLogContext, assignLogContext } from './log-context';
import { contextFromTraceparent, initTracing, inSpan } from './tracing';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('createLogger', () => {
  beforeAll(() => initTracing('test'));

  it('writes one JSON object per line with the service, a word level and the context fields', async () => {
    const { lines, stream } = capture();
    const log = createLogger('scim-gateway', 'info', stream);
    await withLogContext({ requestId: 'req-1' }, async () => {
      assignLogContext({ tenantId: 't-1' });
      await inSpan('work', { parent: contextFromTraceparent(TRACEPARENT) }, async () => {
        await withLogContext({ eventId: 'e-1' }, async () => log.info('applied'));
      });
    });
    expect(lines).toEqual([
      expect.objectContaining({ service: 'scim-gateway', level: 'info', msg: 'applied', requestId: 'req-1', tenantId: 't-1', eventId: 'e-1', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' }),
    ]);
  });

  it('never writes credentials, emails or tokens', () => {
    const { lines, stream } = capture();
    const log = createLogger('auth', 'info', stream);
    log.info({ req: { headers: { authorization: 'Bearer tzc_secret', cookie: 'sid=1', 'x-internal-token': 'abc' } }, user: { email: 'a@b.example', password: 'pw' } }, 'sign-in for bob@example.com');
    log.error(new Error('token tzc_abc for carol@example.com is revoked'));
    const text = JSON.stringify(lines);
    for (const secret of ['tzc_secret', 'sid=1', '"abc"', 'a@b.example', '"pw"', 'bob@example.com', 'tzc_abc', 'carol@example.com']) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({ msg: 'sign-in for [email]' });
    expect(lines[1]).toMatchObject({ level: 'error', err: expect.objectContaining({ message: 'token tzc_[redacted] for [email] is revoked' }) });
  });

  it('respects the configured level', () => {
    const { lines, stream } = capture();
    const log = createLogger('directory', 'warn', stream);
    log.info('hidden');
    log.warn('shown');
    expect(lines.map((l) => l['msg'])).toEqual(['shown']);
  });
});
