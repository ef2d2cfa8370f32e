import type { ReadinessCheck } from '@taskize/http';

/** A dependency's liveness endpoint answers 200. */
export class HttpReadiness implements ReadinessCheck {
  constructor(
    readonly name: string,
    private readonly url: string,
  ) {}
  async check(): Promise<void> {
    const res = await fetch(this.url, { signal: AbortSignal.timeout(2_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  }
}
