#!/usr/bin/env node
// `npm run bench -- <name> [options]` against the stack `npm start` runs (dev profile).
// Prints figures; tests never assert wall-clock times (STYLE.md). Results go to docs/benchmarks.md by hand.
//   create   POST /Users open-loop at --rate req/s for --seconds (default 20/s, 20 s): p50/p90/p99/max, errors
//   scim     issue 3's directory-size targets (filter, member PATCH, paging) on seeded 1k/100k tenants: see scim.mjs
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
await import('../build.mjs');
const require = createRequire(import.meta.url);
const { admin, infraEnv, PORTS } = require(join(root, 'dist/libs/shared/devstack/src/index.js'));

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '50' },
    reuse: { type: 'string' },
    samples: { type: 'string', default: '300' },
  },
});
const profile = 'dev';
const base = `http://127.0.0.1:${PORTS[profile]['scim-gateway']}/scim/v2`;

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(label, latencies, errors, elapsedMs) {
  const s = [...latencies].sort((a, b) => a - b);
  const f = (x) => x.toFixed(1);
  console.log(
    `${label}: n=${s.length} errors=${errors} throughput=${((s.length / elapsedMs) * 1000).toFixed(1)}/s ` +
      `p50=${f(percentile(s, 50))}ms p90=${f(percentile(s, 90))}ms p99=${f(percentile(s, 99))}ms max=${f(s.at(-1) ?? NaN)}ms`,
  );
}

async function tenantToken() {
  const infra = infraEnv(profile);
  const slug = `bench-${Date.now().toString(36)}`;
  await admin(infra, profile, ['org:create', '--slug', slug, '--name', `Bench ${slug}`, '--plan', 'enterprise']);
  return (await admin(infra, profile, ['token:create', '--org', slug, '--label', 'bench'])).trim();
}

async function createUser(token, n) {
  const res = await fetch(`${base}/Users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `user${n}.${Date.now()}@bench.example`,
      name: { givenName: 'Bench', familyName: `User${n}` },
      emails: [{ value: `user${n}@bench.example`, type: 'work', primary: true }],
      active: true,
    }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Open loop: request i is due at start + i/rate, latency counts from when it was due (no coordinated omission). */
async function openLoop(rate, seconds, fn) {
  const total = Math.round(rate * seconds);
  const latencies = [];
  let errors = 0;
  const start = performance.now();
  const inflight = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      fn(i).then(
        (status) => (status >= 200 && status < 300 ? latencies.push(performance.now() - due) : errors++),
        () => errors++,
      ),
    );
  }
  await Promise.all(inflight);
  return { latencies, errors, elapsedMs: performance.now() - start };
}

const benches = {
  async create() {
    const token = await tenantToken();
    const rate = Number(values.rate);
    const seconds = Number(values.seconds);
    for (let i = 0; i < Number(values.warmup); i++) await createUser(token, -1 - i);
    const { latencies, errors, elapsedMs } = await openLoop(rate, seconds, (i) => createUser(token, i));
    summary(`POST /Users open-loop ${rate}/s for ${seconds}s`, latencies, errors, elapsedMs);
  },
  async scim() {
    const { scimBench } = await import('./scim.mjs');
    await scimBench({ admin, infraEnv, PORTS, reuse: values.reuse, samples: Number(values.samples) });
  },
};

const name = positionals[0];
if (!benches[name]) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [--rate N] [--seconds N] [--reuse <slug>] [--samples N]   (needs \`npm start\` running)`);
  process.exit(2);
}
await benches[name]();
