import { type BeforeApplicationShutdown, Controller, Get, Inject, Injectable, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

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

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);

@Controller()
export class HealthController {
  constructor(
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    private readonly state: LifecycleState,
  ) {}

  /** Liveness: the process answers. */
  @Get('healthz')
  healthz() {
    return { status: 'ok' };
  }

  /** Readiness: every dependency this service needs answers within 2 s. */
  @Get('readyz')
  async readyz(@Res() reply: FastifyReply) {
    const results: Record<string, string> = {};
    if (this.state.shuttingDown) results['lifecycle'] = 'shutting down';
    await Promise.all(
      this.checks.map(async (c) => {
        try {
          await withTimeout(c.check(), 2_000);
          results[c.name] = 'ok';
        } catch (error) {
          results[c.name] = error instanceof Error ? error.message : 'failed';
        }
      }),
    );
    const ok = Object.values(results).every((v) => v === 'ok');
    void reply.status(ok ? 200 : 503).header('cache-control', 'no-store').send({ status: ok ? 'ok' : 'unavailable', checks: results });
  }
}
