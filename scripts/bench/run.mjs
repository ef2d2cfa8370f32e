#!/usr/bin/env node
// `npm run bench -- <name> [options]` against the stack `npm start` runs (dev profile).
// Prints figures; tests never assert wall-clock times (STYLE.md). Results go to docs/benchmarks.md by hand.
//   create    POST /Users open-loop at --rate req/s for --seconds (default 20/s, 20 s) over --tenants: p50/p90/p99/max, errors
//   http      GET --path (default ServiceProviderConfig) open-loop at --rate for --seconds: the HTTP layer alone
//   scim      issue 3's targets at directory size (scim.mjs)
//   pipeline  issue 4's targets: create path vs its two floors, sustained rate, commit→event, RSS (pipeline.mjs)
//   scim     issue 3's directory-size targets (filter, member PATCH, paging) on seeded 1k/100k tenants: see scim.mjs
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { line, openLoop } from './stats.mjs';

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
    tenants: { type: 'string', default: '1' },
    path: { type: 'string', default: '/scim/v2/ServiceProviderConfig' },
  },
});
const profile = 'dev';
const base = `http://127.0.0.1:${PORTS[profile]['scim-gateway']}/scim/v2`;

async function tenantToken(prefix = 'bench') {
  const infra = infraEnv(profile);
  const slug = `${prefix}-${Date.now().toString(36)}`;
  const org = JSON.parse(await admin(infra, profile, ['org:create', '--slug', slug, '--name', `Bench ${slug}`, '--plan', 'enterprise']));
  const token = (await admin(infra, profile, ['token:create', '--org', slug, '--label', 'bench'])).trim();
  return { token, slug, organisationId: org.id };
}

/**
 * node:http with a keep-alive agent, not fetch: the load generator shares the machine's 2 cores with the
 * stack, and undici's fetch cost it about half a core at 300 requests/s (docs/benchmarks.md, run 5).
 */
const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
const { hostname, port, pathname } = new URL(`${base}/Users`);

function createUser(token, n) {
  const body = JSON.stringify({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: `user${n}.${Date.now()}@bench.example`,
    name: { givenName: 'Bench', familyName: `User${n}` },
    emails: [{ value: `user${n}@bench.example`, type: 'work', primary: true }],
    active: true,
  });
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, hostname, port, path: pathname, method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('error', reject);
        res.on('end', () => resolve((res.statusCode >= 200 && res.statusCode < 300) || `HTTP ${res.statusCode}`));
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error('timed out after 60 s')));
    req.on('error', reject);
    req.end(body);
  });
}

const benches = {
  async create() {
    // --tenants N spreads the creates round-robin over N tenants (N partitions, as in the pipeline's part 2).
    const tokens = [];
    for (let t = 0; t < Number(values.tenants); t++) tokens.push((await tenantToken()).token);
    const rate = Number(values.rate);
    const seconds = Number(values.seconds);
    for (let i = 0; i < Number(values.warmup); i++) await createUser(tokens[i % tokens.length], -1 - i);
    line(
      `POST /Users open-loop ${rate}/s for ${seconds}s over ${tokens.length} tenant(s)`,
      await openLoop(rate, seconds, (i) => createUser(tokens[i % tokens.length], i)),
    );
  },
  // The HTTP exchange alone (client, Fastify, Nest, token guard, logging) on a path that does no I/O:
  // the share of the create path's p50 that is not Kafka or MySQL (docs/benchmarks.md, run 7).
  async http() {
    const { token } = await tenantToken();
    const rate = Number(values.rate);
    const seconds = Number(values.seconds);
    const get = () =>
      new Promise((resolve, reject) => {
        const req = request({ agent, hostname, port, path: values.path, headers: { authorization: `Bearer ${token}` } }, (res) => {
          res.resume();
          res.on('error', reject);
          res.on('end', () => resolve(res.statusCode === 200 || `HTTP ${res.statusCode}`));
        });
        req.on('error', reject);
        req.end();
      });
    for (let i = 0; i < Number(values.warmup); i++) await get();
    line(`GET ${values.path} open-loop ${rate}/s for ${seconds}s`, await openLoop(rate, seconds, get));
  },
  async pipeline() {
    const { pipelineBench } = await import('./pipeline.mjs');
    await pipelineBench({ admin, infraEnv, PORTS, tenantToken, createUser });
  },
  async scim() {
    const { scimBench } = await import('./scim.mjs');
    await scimBench({ admin, infraEnv, PORTS, reuse: values.reuse, samples: Number(values.samples) });
  },
};

const name = positionals[0];
if (!benches[name]) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [--rate N] [--seconds N] [--tenants N] [--path P] [--reuse <slug>] [--samples N]   (needs \`npm start\` running)`);
  process.exit(2);
}
await benches[name]();
agent.destroy(); // keep-alive sockets would hold the process open
