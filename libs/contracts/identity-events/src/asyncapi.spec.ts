import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ALL_TOPICS } from '@taskize/topics';
import { parse } from 'yaml';
import { IDENTITY_EVENT_SCHEMAS, IDENTITY_EVENT_TYPES } from './index';

const docPath = resolve(__dirname, '../../../../docs/asyncapi.yaml');
const doc = parse(readFileSync(docPath, 'utf8')) as {
  asyncapi: string;
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  operations: Record<string, { action: string; channel: { $ref: string } }>;
  components: { messages: Record<string, { name: string; payload?: { schema?: { $ref?: string } } }> };
};

function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

function resolveLocal(ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);
}

describe('docs/asyncapi.yaml', () => {
  const addresses = Object.values(doc.channels).map((c) => c.address);

  it('is an AsyncAPI 3.0.0 document', () => {
    expect(doc.asyncapi).toBe('3.0.0');
  });

  it.each([...ALL_TOPICS.map((t) => t.name), 'identity.state.v1'].map((name) => [name]))('has a channel for topic %s', (name) => {
    expect(addresses).toContain(name);
  });

  it.each(IDENTITY_EVENT_TYPES.map((t) => [t]))('has a message for %s on identity.events, with its JSON Schema file', (type) => {
    const channel = Object.values(doc.channels).find((c) => c.address === 'identity.events')!;
    const messages = Object.values(channel.messages).map((m) => resolveLocal(m.$ref) as { name: string; payload: { schema: { $ref: string } } });
    const message = messages.find((m) => m.name === type);
    expect(message).toBeDefined();
    const schemaFile = resolve(dirname(docPath), message!.payload.schema.$ref);
    expect(JSON.parse(readFileSync(schemaFile, 'utf8'))).toEqual(IDENTITY_EVENT_SCHEMAS[type]);
  });

  it('resolves every $ref, local or to a file', () => {
    for (const ref of refs(doc)) {
      if (ref.startsWith('#/')) expect([ref, resolveLocal(ref)]).not.toEqual([ref, undefined]);
      else expect([ref, existsSync(join(dirname(docPath), ref))]).toEqual([ref, true]);
    }
  });

  it('has the directory send and subscribers receive identity.events', () => {
    const on = (channel: string) => Object.values(doc.operations).filter((o) => o.channel.$ref === `#/channels/${channel}`).map((o) => o.action).sort();
    // Several subscribers (Taskize services, auth) may receive; only the directory sends.
    expect([...new Set(on('identityEvents'))]).toEqual(['receive', 'send']);
    expect(on('identityEvents').filter((a) => a === 'send')).toHaveLength(1);
    expect(on('identityState')).toEqual(['receive', 'send']);
  });
});
