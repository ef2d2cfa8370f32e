import type { Kafka, ProducerBatch, ProducerRecord } from 'kafkajs';
import { PublishTimeoutError, Publisher, type OutgoingMessage } from './publisher';

/** A kafkajs producer whose requests the test answers one by one. */
class FakeProducer {
  readonly requests: { topics: Record<string, string[]>; answer: (error?: Error) => void }[] = [];

  connect = async () => undefined;
  disconnect = async () => undefined;
  send = (record: ProducerRecord) => this.request([{ topic: record.topic, messages: record.messages }]);
  sendBatch = (batch: ProducerBatch) => this.request(batch.topicMessages ?? []);

  private request(topicMessages: { topic: string; messages: { key?: unknown }[] }[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const topics = Object.fromEntries(topicMessages.map((t) => [t.topic, t.messages.map((m) => String(m.key))]));
      this.requests.push({ topics, answer: (error) => (error ? reject(error) : resolve([])) });
    });
  }
}

const msg = (key: string, bytes = 10): OutgoingMessage => ({ key, value: Buffer.alloc(bytes) });
const tick = () => new Promise((r) => setImmediate(r));

function setup() {
  const producer = new FakeProducer();
  const publisher = new Publisher({ producer: () => producer } as unknown as Kafka);
  return { producer, publisher };
}

describe('Publisher (coalesced, acks=-1, deadline per publish)', () => {
  afterEach(() => jest.useRealTimers());

  it('sends a lone publish at once, in its own request', async () => {
    const { producer, publisher } = setup();
    const done = publisher.publish('t', [msg('a')], 1_000);
    await tick();
    expect(producer.requests.map((r) => r.topics)).toEqual([{ t: ['a'] }]);
    producer.requests[0]!.answer();
    await expect(done).resolves.toBeUndefined();
  });

  it('sends what was published during a request together in the next one, in publish order, topics apart', async () => {
    const { producer, publisher } = setup();
    const first = publisher.publish('t', [msg('a')], 1_000);
    await tick();
    const later = [publisher.publish('t', [msg('b')], 1_000), publisher.publishAll([{ topic: 'u', messages: [msg('x')] }, { topic: 't', messages: [msg('c')] }], 1_000)];
    await tick();
    expect(producer.requests).toHaveLength(1); // one in flight at a time
    producer.requests[0]!.answer();
    await first;
    await tick();
    expect(producer.requests[1]!.topics).toEqual({ t: ['b', 'c'], u: ['x'] });
    producer.requests[1]!.answer();
    await expect(Promise.all(later)).resolves.toEqual([undefined, undefined]);
  });

  it('fails every publish of a failed request, and the next request still goes', async () => {
    const { producer, publisher } = setup();
    const first = publisher.publish('t', [msg('a')], 1_000);
    await tick();
    const second = publisher.publish('t', [msg('b')], 1_000);
    const third = publisher.publish('t', [msg('c')], 1_000);
    producer.requests[0]!.answer();
    await first;
    await tick();
    producer.requests[1]!.answer(new Error('NOT_LEADER_FOR_PARTITION'));
    await expect(second).rejects.toThrow('NOT_LEADER_FOR_PARTITION');
    await expect(third).rejects.toThrow('NOT_LEADER_FOR_PARTITION');
    const fourth = publisher.publish('t', [msg('d')], 1_000);
    await tick();
    producer.requests[2]!.answer();
    await expect(fourth).resolves.toBeUndefined();
  });

  it('never sends a publish still queued at its deadline, and a request whose publishes all timed out holds nothing back', async () => {
    jest.useFakeTimers();
    const { producer, publisher } = setup();
    const hung = publisher.publish('t', [msg('a')], 100); // the broker never answers this one
    await Promise.resolve();
    await Promise.resolve();
    const queued = publisher.publish('t', [msg('b')], 50);
    const expectations = [expect(hung).rejects.toBeInstanceOf(PublishTimeoutError), expect(queued).rejects.toBeInstanceOf(PublishTimeoutError)];
    jest.advanceTimersByTime(100);
    await Promise.all(expectations);
    const after = publisher.publish('t', [msg('c')], 1_000);
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(producer.requests.map((r) => r.topics)).toEqual([{ t: ['a'] }, { t: ['c'] }]); // b was never sent
    producer.requests[1]!.answer();
    await expect(after).resolves.toBeUndefined();
  });

  it.each([
    ['a publish larger than the coalescing limit goes alone', [600 * 1024, 10], [1, 1]],
    ['small publishes share one request', [10, 10, 10], [3]],
  ] as const)('%s', async (_case, sizes, requestSizes) => {
    const { producer, publisher } = setup();
    const blocker = publisher.publish('t', [msg('blocker')], 1_000);
    await tick();
    const all = Promise.all(sizes.map((bytes, i) => publisher.publish('t', [msg(`m${i}`, bytes)], 1_000)));
    producer.requests[0]!.answer();
    await blocker;
    for (let answered = 1; answered < 1 + requestSizes.length; answered++) {
      await tick();
      producer.requests[answered]!.answer();
    }
    await all;
    expect(producer.requests.slice(1).map((r) => r.topics['t']!.length)).toEqual(requestSizes);
  });
});
