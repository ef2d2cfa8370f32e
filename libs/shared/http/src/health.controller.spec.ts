import { Logger, ServiceUnavailableException } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController, LifecycleState, READINESS_CHECKS, type ReadinessCheck } from './health.controller';

/** Two dependencies whose health each step sets: `up`, or the message they fail with. */
async function rig() {
  const health: Record<string, string> = { mysql: 'up', kafka: 'up' };
  const checks: ReadinessCheck[] = Object.keys(health).map((name) => ({
    name,
    check: async () => {
      if (health[name] !== 'up') throw new Error(health[name]);
    },
  }));
  const module = await Test.createTestingModule({
    imports: [TerminusModule.forRoot({ logger: false })],
    controllers: [HealthController],
    providers: [LifecycleState, { provide: READINESS_CHECKS, useValue: checks }],
  }).compile();
  return { controller: module.get(HealthController), state: module.get(LifecycleState), health };
}

describe('HealthController /readyz logging: one line when readiness changes, not one per probe', () => {
  /** What the controller logs from here on (after Nest's own start-up lines). */
  function capture(): string[] {
    const lines: string[] = [];
    jest.spyOn(Logger.prototype, 'log').mockImplementation((m: unknown) => void lines.push(`log ${String(m)}`));
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((m: unknown) => void lines.push(`warn ${String(m)}`));
    return lines;
  }
  afterEach(() => jest.restoreAllMocks());

  type Step = { mysql?: string; kafka?: string };
  it.each<[string, Step[], string[]]>([
    ['ready from the start: one line', [{}, {}, {}], ['log ready']],
    ['the same failure probed three times: one line', [{ kafka: 'timed out' }, { kafka: 'timed out' }, { kafka: 'timed out' }], ['warn not ready: kafka: timed out']],
    [
      'a second failure joins, both clear, one comes back',
      [{}, { mysql: 'refused' }, { mysql: 'refused', kafka: 'timed out' }, { mysql: 'refused', kafka: 'timed out' }, {}, {}, { kafka: 'timed out' }],
      ['log ready', 'warn not ready: mysql: refused', 'warn not ready: mysql: refused; kafka: timed out', 'log ready again', 'warn not ready: kafka: timed out'],
    ],
    ['a failure whose message changes is logged again', [{ kafka: 'timed out' }, { kafka: 'refused' }], ['warn not ready: kafka: timed out', 'warn not ready: kafka: refused']],
  ])('%s', async (_case, steps, expected) => {
    const r = await rig();
    const lines = capture();
    for (const step of steps) {
      r.health['mysql'] = step.mysql ?? 'up';
      r.health['kafka'] = step.kafka ?? 'up';
      const failing = Object.keys(step).length > 0;
      if (failing) await expect(r.controller.readyz()).rejects.toBeInstanceOf(ServiceUnavailableException);
      else await expect(r.controller.readyz()).resolves.toMatchObject({ status: 'ok' });
    }
    expect(lines).toEqual(expected);
  });

  it('shutting down is a failure like any other, named "lifecycle"', async () => {
    const r = await rig();
    const lines = capture();
    await r.controller.readyz();
    r.state.beforeApplicationShutdown();
    await expect(r.controller.readyz()).rejects.toMatchObject({ response: { status: 'error', error: { lifecycle: { message: 'shutting down' } } } });
    await expect(r.controller.readyz()).rejects.toBeInstanceOf(ServiceUnavailableException);
    expect(lines).toEqual(['log ready', 'warn not ready: lifecycle: shutting down']);
  });
});
