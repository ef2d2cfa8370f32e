import { createRequire } from 'node:module';
import { PATCHED_KAFKAJS_VERSION, fixKafkajsIdleLoop } from './request-queue-fix';

/** kafkajs' RequestQueue as the spec drives it: a queue with no socket behind it. */
interface Queue {
  pending: unknown[];
  inflight: Map<number, unknown>;
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  push(request: { entry: { correlationId: number; apiKey: number; apiName: string; apiVersion: number; resolve: () => void; reject: () => void }; expectResponse: boolean; sendRequest: () => void }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer | null; size: number }): void;
  maybeThrottle(ms: number): void;
  destroy(): void;
}

const require = createRequire(__filename);
const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

type QueueClass = new (args: object) => Queue;

function newQueue(opts: { maxInFlightRequests?: number } = {}, RequestQueue = fixKafkajsIdleLoop() as unknown as QueueClass): Queue {
  return new RequestQueue({
    instrumentationEmitter: null,
    maxInFlightRequests: opts.maxInFlightRequests ?? null,
    requestTimeout: 10_000,
    enforceRequestTimeout: false,
    clientId: 'spec',
    broker: 'spec:9092',
    logger,
    isConnected: () => true,
  });
}

const request = (correlationId: number, sent: number[]) => ({
  entry: { correlationId, apiKey: 0, apiName: 'Produce', apiVersion: 7, resolve: () => undefined, reject: () => undefined },
  expectResponse: true,
  sendRequest: () => sent.push(correlationId),
});

describe('kafkajs idle loop fix (tulios/kafkajs#1556)', () => {
  afterEach(() => jest.useRealTimers());

  it('is written for the installed kafkajs', () => {
    expect((require('kafkajs/package.json') as { version: string }).version).toBe(PATCHED_KAFKAJS_VERSION);
  });

  it('is still needed: kafkajs as installed re-arms a 1 ms timeout after every check of an idle queue', () => {
    let Unpatched!: QueueClass;
    jest.isolateModules(() => (Unpatched = require('kafkajs/src/network/requestQueue') as QueueClass));
    expect(Unpatched).not.toBe(fixKafkajsIdleLoop());
    jest.useFakeTimers();
    const queue = newQueue({}, Unpatched);
    queue.checkPendingRequests();
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
    jest.advanceTimersByTime(1);
    expect(queue.throttleCheckTimeoutId).not.toBeNull(); // and again, 1,000 times a second
    queue.destroy();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('leaves an idle queue without a timer', () => {
    const queue = newQueue();
    queue.checkPendingRequests();
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });

  it('still checks a queue that waits on its in-flight limit, and sends when an answer frees a slot', () => {
    jest.useFakeTimers();
    const sent: number[] = [];
    const queue = newQueue({ maxInFlightRequests: 1 });
    queue.push(request(1, sent));
    queue.push(request(2, sent));
    expect(sent).toEqual([1]);
    expect(queue.pending).toHaveLength(1);
    queue.fulfillRequest({ correlationId: 1, payload: null, size: 0 });
    expect(sent).toEqual([1, 2]);
    expect(queue.pending).toHaveLength(0);
    queue.destroy();
  });

  it('sends what was queued while throttled once the throttle ends, and then stops checking', () => {
    jest.useFakeTimers();
    const sent: number[] = [];
    const queue = newQueue();
    queue.maybeThrottle(50);
    queue.push(request(7, sent));
    expect(sent).toEqual([]);
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
    jest.advanceTimersByTime(49);
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(2);
    expect(sent).toEqual([7]);
    expect(queue.throttleCheckTimeoutId).toBeNull();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('is applied once however often clients are created', () => {
    const a = fixKafkajsIdleLoop();
    const b = fixKafkajsIdleLoop();
    expect(a).toBe(b);
  });
});
