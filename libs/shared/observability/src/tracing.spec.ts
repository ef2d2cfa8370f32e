import { contextFromTraceparent, currentTraceId, currentTraceparent, initTracing, inSpan } from './tracing';

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const W3C = /^00-[\da-f]{32}-[\da-f]{16}-01$/;

describe('tracing', () => {
  beforeAll(() => initTracing('test'));

  it('continues a trace from a traceparent: same trace id, a new span id', async () => {
    const inner = await inSpan('apply', { parent: contextFromTraceparent(PARENT) }, async () => currentTraceparent());
    expect(inner).toMatch(W3C);
    expect(inner!.split('-')[1]).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(inner!.split('-')[2]).not.toBe('b7ad6b7169203331');
  });

  it('starts a new trace without a parent, and nests child spans in it', async () => {
    const [outer, inner] = await inSpan('request', {}, async () => {
      const o = currentTraceId();
      const i = await inSpan('produce', {}, async () => currentTraceId());
      return [o, i];
    });
    expect(outer).toMatch(/^[\da-f]{32}$/);
    expect(inner).toBe(outer);
  });

  it.each([undefined, '', 'garbage', '00-00000000000000000000000000000000-b7ad6b7169203331-01'])('treats %j as no parent', async (tp) => {
    const id = await inSpan('x', { parent: contextFromTraceparent(tp) }, async () => currentTraceId());
    expect(id).toMatch(/^[\da-f]{32}$/);
    expect(id).not.toBe('00000000000000000000000000000000');
  });

  it('has no trace outside a span', () => {
    expect(currentTraceId()).toBeUndefined();
    expect(currentTraceparent()).toBeUndefined();
  });

  it('records a failure and rethrows it', async () => {
    await expect(inSpan('fail', {}, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});
