import { type BeforeApplicationShutdown, Controller, Get, Header, HttpException, Inject, Injectable, Logger } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';

/** One dependency a service needs to do its work (Kafka, MySQL, the auth JWKS…). */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/** Flips readiness to false as soon as shutdown starts, before any connection closes. */
@Injectable()
export class LifecycleState implements BeforeApplicationShutdown {
  shuttingDown = false;
  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }
}

const CHECK_TIMEOUT_MS = 2_000;

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);

/**
 * `/healthz` (liveness: the process answers) and `/readyz` (readiness: every dependency answers within
 * 2 s and the service is not shutting down) on @nestjs/terminus: 200 `{status: "ok", info, details}`
 * or 503 `{status: "error", error, details}` naming what failed. Readiness goes false the moment
 * shutdown begins, so the load balancer stops sending before connections close (issue 6, item 4).
 */
@Controller()
export class HealthController {
  private readonly log = new Logger('Readiness');
  /** What the last /readyz found failing: null when ready, undefined before the first probe. */
  private failing: string | null | undefined;

  constructor(
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    private readonly state: LifecycleState,
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
  ) {}

  @Get('healthz')
  @Header('cache-control', 'no-store')
  @HealthCheck()
  healthz() {
    return this.health.check([async () => this.indicator.check('process').up({ pid: process.pid })]);
  }

  @Get('readyz')
  @Header('cache-control', 'no-store')
  @HealthCheck()
  async readyz() {
    try {
      const result = await this.checkReadiness();
      if (this.failing !== null) this.log.log(this.failing === undefined ? 'ready' : 'ready again');
      this.failing = null;
      return result;
    } catch (error) {
      // One line when what fails changes, not one per probe: Kubernetes probes every few seconds, and terminus'
      // own logging (switched off in ObservabilityModule) wrote an error line with the whole report each time.
      const failing = failures(error);
      if (failing !== this.failing) this.log.warn(`not ready: ${failing}`);
      this.failing = failing;
      throw error;
    }
  }

  private checkReadiness() {
    return this.health.check([
      async (): Promise<HealthIndicatorResult> =>
        this.state.shuttingDown ? this.indicator.check('lifecycle').down({ message: 'shutting down' }) : this.indicator.check('lifecycle').up(),
      ...this.checks.map((c) => async (): Promise<HealthIndicatorResult> => {
        const session = this.indicator.check(c.name);
        try {
          await withTimeout(c.check(), CHECK_TIMEOUT_MS);
          return session.up();
        } catch (error) {
          return session.down({ message: error instanceof Error ? error.message : 'failed' });
        }
      }),
    ]);
  }
}

/** `kafka: timed out after 2000 ms; consumer: not consuming …` from terminus' 503 (its `error` section). */
function failures(error: unknown): string {
  const body = error instanceof HttpException ? (error.getResponse() as { error?: Record<string, { message?: string }> }) : undefined;
  const entries = Object.entries(body?.error ?? {});
  if (!entries.length) return error instanceof Error ? error.message : String(error);
  return entries.map(([name, detail]) => `${name}: ${detail.message ?? 'down'}`).join('; ');
}
