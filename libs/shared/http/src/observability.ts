import { Controller, type DynamicModule, Get, Module, Res } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TerminusModule } from '@nestjs/terminus';
import {
  CONTENT_TYPE,
  type LogFields,
  currentLogFields,
  runWithLogFields,
  type LogLevel,
  SpanKind,
  contextFromTraceparent,
  createLogger,
  initMetrics,
  initTracing,
  logContext,
  metrics,
  renderMetrics,
  runInContext,
  scrub,
  startSpan,
  withLogContext,
} from '@taskize/observability';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context, Span } from '@opentelemetry/api';
import { Logger, LoggerModule } from 'nestjs-pino';

export interface ObservabilityOptions {
  service: string;
  level: LogLevel;
  /** OTLP/HTTP traces endpoint; unset = spans are not exported (ids still propagate and are logged). */
  otlpEndpoint?: string | undefined;
}

/** Not logged per request and not traced: probes and scrapes would drown everything else. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
const pathOf = (url: string | undefined) => (url ?? '').split('?')[0] ?? '';

/** GET /metrics: Prometheus text from the one registry (libs/shared/observability). */
@Controller()
export class MetricsController {
  @Get('metrics')
  async metrics(@Res() reply: FastifyReply): Promise<void> {
    void reply.header('content-type', CONTENT_TYPE).header('cache-control', 'no-store').send(await renderMetrics());
  }
}

/**
 * Logs (pino through nestjs-pino: Nest's Logger calls and one line per finished request), metrics
 * (GET /metrics) and health (terminus, used by HealthController) for one service. Import once in the
 * app module; in main.ts create the app with `bufferLogs: true` and call `useObservability(app)`.
 */
@Module({})
export class ObservabilityModule {
  static forRoot(opts: ObservabilityOptions): DynamicModule {
    initTracing(opts.service, { otlpEndpoint: opts.otlpEndpoint });
    initMetrics(opts.service);
    return {
      module: ObservabilityModule,
      imports: [
        // HealthController logs readiness changes itself; terminus would log every failed probe.
        TerminusModule.forRoot({ logger: false }),
        LoggerModule.forRoot({
          pinoHttp: {
            logger: createLogger(opts.service, opts.level),
            // The id Fastify gave the request (kept from a sane incoming x-request-id, see createFastifyAdapter).
            genReqId: () => logContext().requestId ?? '',
            autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.has(pathOf(req.url)) },
            // A probe's 503 is not logged per request either (pino-http logs errors even when ignored): the health
            // controller logs when readiness changes.
            customLogLevel: (req: IncomingMessage, res: ServerResponse, error?: Error) =>
              QUIET_PATHS.has(pathOf(req.url)) ? 'silent' : error || res.statusCode >= 500 ? 'error' : 'info',
            // No headers (credentials), and the URL scrubbed: a SCIM filter can quote an email address.
            serializers: {
              req: (req: { id?: unknown; method?: string; url?: string }) => ({ id: req.id, method: req.method, url: scrub(req.url ?? '') }),
              res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
            },
            quietReqLogger: true,
          },
        }),
      ],
      controllers: [MetricsController],
      exports: [TerminusModule],
    };
  }
}

/** Routes Nest's own Logger (every `new Logger(...)` in the code) to pino. */
export function useObservability(app: NestFastifyApplication): void {
  app.useLogger(app.get(Logger));
}

const spans = new WeakMap<FastifyRequest, { span?: Span; started: bigint; context?: Context; fields?: LogFields }>();

/**
 * Fastify hooks, installed when the instance is created (before Nest adds its middleware, so the
 * request logger runs inside this context): each request runs in a SERVER span that continues the
 * caller's W3C `traceparent`, with its request id in the log context; when it finishes, its duration
 * goes into `http_request_duration_seconds` by route template (never the raw URL: ids and filters
 * would explode cardinality and leak values).
 */
export function installHttpObservability(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const started = process.hrtime.bigint();
    if (QUIET_PATHS.has(pathOf(request.url))) {
      spans.set(request, { started });
      return withLogContext({ requestId: String(request.id) }, done);
    }
    const header = (name: string) => (typeof request.headers[name] === 'string' ? (request.headers[name] as string) : undefined);
    const { span, context } = startSpan(request.method, {
      parent: contextFromTraceparent(header('traceparent'), header('tracestate')),
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': request.method },
    });
    runInContext(context, () =>
      withLogContext({ requestId: String(request.id) }, () => {
        spans.set(request, { span, started, context, ...(currentLogFields() ? { fields: currentLogFields() } : {}) });
        done();
      }),
    );
  });
  // A body parser finishes in the socket's async context, not the hook chain's: the route handler would
  // run outside the request's span and log fields (found by the trace test: a POST's event lost its
  // trace). Re-enter both, with the same fields object, right before the handler.
  fastify.addHook('preHandler', (request, _reply, done) => {
    const entry = spans.get(request);
    if (!entry?.context || !entry.fields) return done();
    const { context, fields } = entry;
    runInContext(context, () => runWithLogFields(fields, done));
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const entry = spans.get(request);
    const route = request.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    if (entry) {
      metrics.httpDuration().observe({ method: request.method, route, status }, Number(process.hrtime.bigint() - entry.started) / 1e9);
      if (entry.span) {
        entry.span.updateName(`${request.method} ${route}`);
        entry.span.setAttributes({ 'http.route': route, 'http.response.status_code': reply.statusCode });
        entry.span.end();
      }
    }
    done();
  });
}
