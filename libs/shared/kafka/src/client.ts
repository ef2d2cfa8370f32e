import { connect, isIP } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { Kafka, logLevel as KafkaLogLevel, type ISocketFactory, type KafkaConfig, type LogEntry } from 'kafkajs';
import { fixKafkajsIdleLoop } from './request-queue-fix';

export interface KafkaClientOptions {
  brokers: readonly string[];
  clientId: string;
  /** Bounded connection attempts: callers race their own deadline on top (see Publisher). */
  retries?: number;
}

const LEVELS: Record<number, string> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/** kafkajs logs as one JSON line on stderr, at WARN and above (its INFO is a line per join/commit). */
function logCreator() {
  return ({ level, log }: LogEntry) => {
    const { message, timestamp: _ts, logger: _l, ...extra } = log;
    process.stderr.write(`${JSON.stringify({ level: LEVELS[level] ?? 'info', time: Date.now(), component: 'kafkajs', msg: message, ...extra })}\n`);
  };
}

export function createKafka(options: KafkaClientOptions): Kafka {
  fixKafkajsIdleLoop();
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    logLevel: KafkaLogLevel.WARN,
    logCreator,
    retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: options.retries ?? 5 },
    socketFactory: noDelaySockets,
  };
  return new Kafka(config);
}

/**
 * kafkajs' own socket factory, plus TCP_NODELAY. Its sockets keep Nagle's algorithm on, so a small request written
 * while an earlier one on the same connection is still unanswered (a heartbeat or an offset commit behind a
 * consumer's long-poll fetch, a produce behind a produce) can wait for the broker's delayed ACK. Kafka's Java client
 * and the broker both set TCP_NODELAY on every connection; requests here are written whole, so nothing gains from
 * coalescing.
 */
const noDelaySockets: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const socket = ssl
    ? connectTls({ host, port, ...(isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
    : connect({ host, port, noDelay: true }, onConnect);
  socket.setNoDelay(true);
  socket.setKeepAlive(true, 60_000);
  return socket;
};
