import { type Attributes, type Context, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

export { SpanKind };

const TRACER = 'taskize-connect';
let provider: BasicTracerProvider | undefined;

export interface TracingOptions {
  /** OTLP/HTTP traces endpoint (e.g. http://otel-collector:4318/v1/traces); unset = no export. */
  otlpEndpoint?: string | undefined;
}

/**
 * W3C Trace Context through OpenTelemetry (issue 6): every service creates spans so that the trace id
 * of an Okta request reaches the provisioning event, the directory's apply and the identity event,
 * and appears on every log line. Spans are exported only when an OTLP endpoint is configured — off by
 * default; without one the ids still flow (the sampler records, nothing leaves the process).
 */
export function initTracing(service: string, options: TracingOptions = {}): void {
  if (provider) return;
  const spanProcessors: SpanProcessor[] = options.otlpEndpoint ? [new BatchSpanProcessor(new OTLPTraceExporter({ url: options.otlpEndpoint }))] : [];
  provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors,
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
}

/** Flushes spans still buffered for export (shutdown). */
export async function shutdownTracing(): Promise<void> {
  await provider?.shutdown().catch(() => undefined);
}

/** The context a W3C `traceparent` (and optional `tracestate`) describes; the root context if absent or invalid. */
export function contextFromTraceparent(traceparent: string | undefined, tracestate?: string): Context {
  if (!traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent, ...(tracestate ? { tracestate } : {}) });
}

/** The active span's `traceparent`, for a Kafka header or an event; undefined without one. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier['traceparent'];
}

export function currentTraceId(): string | undefined {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx && trace.isSpanContextValid(ctx) ? ctx.traceId : undefined;
}

export function startSpan(name: string, options: { parent?: Context; kind?: SpanKind; attributes?: Attributes } = {}): { span: Span; context: Context } {
  const parent = options.parent ?? context.active();
  const span = trace.getTracer(TRACER).startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** Runs `fn` inside a new span (child of `parent` or of the active span), ending it and recording a failure. */
export async function inSpan<T>(
  name: string,
  options: { parent?: Context; kind?: SpanKind; attributes?: Attributes },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const { span, context: ctx } = startSpan(name, options);
  try {
    return await context.with(ctx, () => fn(span));
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}

/** Runs `fn` with `ctx` active (e.g. a request's span context inside a Fastify hook chain). */
export function runInContext<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, fn);
}
