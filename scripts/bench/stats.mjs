// Figures shared by the benchmark scripts: percentiles, one-line summaries, an open-loop driver.

export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function stats(latencies) {
  const s = [...latencies].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s.at(-1) ?? NaN, sum: s.reduce((a, b) => a + b, 0) };
}

export const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(1)}ms` : 'n/a');

/** Prints `label: n= errors= p50= p90= p99= max=` and returns the figures. */
export function line(label, r) {
  const st = stats(r.latencies);
  console.log(`${label}: n=${st.n} errors=${r.errors ?? 0} p50=${ms(st.p50)} p90=${ms(st.p90)} p99=${ms(st.p99)} max=${ms(st.max)}`);
  if (r.firstError) console.log(`  first error: ${r.firstError}`);
  return st;
}

/**
 * Open loop: call i is due at start + i/rate and its latency counts from when it was due, so a slow
 * answer cannot hide queueing (no coordinated omission). `fn` resolves true for success.
 * `lateness`: how long after its due time each call was actually made. It is part of every latency and is the
 * generator's (timers fire on whole milliseconds, and this process shares the cores with the stack), so the
 * pipeline bench prints it beside the figures it is part of.
 */
export async function openLoop(rate, seconds, fn) {
  const total = Math.round(rate * seconds);
  const latencies = [];
  const lateness = [];
  let errors = 0;
  let firstError;
  const start = performance.now();
  const inflight = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    lateness.push(performance.now() - due);
    inflight.push(
      fn(i).then(
        (ok) => (ok === true ? latencies.push(performance.now() - due) : (errors++, (firstError ??= String(ok)))),
        (error) => (errors++, (firstError ??= String(error))),
      ),
    );
  }
  await Promise.all(inflight);
  return { latencies, lateness, errors, firstError, elapsedMs: performance.now() - start };
}
