// `npm run bench -- scim [--reuse <slug>] [--samples N]`: issue 3's targets at directory size, against the
// dev stack (`npm start`). Two organisations — "<slug>-small" (1,000 users, a 10-member group) and
// "<slug>-large" (100,000 users, a 100,000-member group) — are seeded straight into the directory schema
// with multi-row INSERTs (going through SCIM would take an hour), then measured over HTTP through the
// gateway. Closed loop, sequential; small and large alternate in rounds of ROUND so machine drift
// (2 cores shared with MariaDB and Kafka) lands on both sides of each ratio. Prints figures and a
// PASS/FAIL table; exits 0 either way (it is a report, STYLE.md).
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import mysql from 'mysql2/promise';
import { line, ms, percentile, stats } from './stats.mjs';

const SMALL_USERS = 1_000;
const SMALL_GROUP = 10;
const LARGE_USERS = 100_000;
const WARMUP = 30;
const ROUND = 10;
const PAGE = 100;
const BULK_MEMBERS = 1_000;
const BULK_REPS = 5;
const USER_ROWS_PER_INSERT = 2_000;
const MEMBER_ROWS_PER_INSERT = 5_000;
/** Seeding "in seconds": the threshold this bench holds the 100,000-user seed to. */
const SEED_LIMIT_MS = 30_000;
const GROUP_NAME = 'Bench Everyone';
const SPARE_PREFIX = 'spare-';

const GIVEN = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Dennis', 'Radia', 'Leslie', 'Hedy', 'John', 'Sophie', 'Tim'];
const FAMILY = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Hamilton', 'Ritchie', 'Perlman', 'Lamport', 'Lamarr', 'Backus', 'Wilson', 'Berners-Lee'];
const DEPARTMENTS = ['Operations', 'Trading', 'Settlements', 'Compliance', 'Technology', 'Risk'];

const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

// ---------------------------------------------------------------- figures

// ---------------------------------------------------------------- seed data

/** Deterministic from (org, n), so a reused tenant's userNames are known without reading them back. */
function userNameOf(orgSlug, n) {
  return `${GIVEN[n % GIVEN.length]}.${FAMILY[Math.floor(n / GIVEN.length) % FAMILY.length]}.${n}@${orgSlug}.example`;
}

/** A user as the gateway normalises it (UserAttributes, libs/scim/core/src/user.types.ts), key order included. */
function userAttributes(userName, n) {
  const givenName = GIVEN[n % GIVEN.length];
  const familyName = FAMILY[Math.floor(n / GIVEN.length) % FAMILY.length];
  return {
    userName,
    externalId: `00u${n.toString(36).padStart(8, '0')}${randomUUID().slice(0, 9).replace('-', '')}`,
    name: { formatted: `${givenName} ${familyName}`, familyName, givenName },
    displayName: `${givenName} ${familyName}`,
    title: 'Analyst',
    active: true,
    emails: [{ value: userName, type: 'work', primary: true }],
    enterprise: { employeeNumber: String(100000 + n), department: DEPARTMENTS[n % DEPARTMENTS.length] },
  };
}

async function tablesOf(db) {
  const [rows] = await db.query('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE()');
  return new Set(rows.map((r) => r.t));
}

/** Fails loudly when the schema grew a required column this seeder does not fill (migrations change under us). */
async function checkColumns(db, table, filled) {
  const [rows] = await db.query(
    `SELECT column_name AS c FROM information_schema.columns
     WHERE table_schema = DATABASE() AND table_name = ? AND is_nullable = 'NO' AND column_default IS NULL AND extra NOT LIKE '%auto_increment%'`,
    [table],
  );
  const missing = rows.map((r) => r.c).filter((c) => !filled.includes(c));
  if (missing.length) throw new Error(`seeding ${table}: required column(s) ${missing.join(', ')} not filled by scripts/bench/scim.mjs; update the seeder`);
}

async function insertRows(db, table, columns, rows, perStatement) {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += perStatement) {
    const batch = rows.slice(i, i + perStatement);
    await db.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${batch.map(() => tuple).join(', ')}`, batch.flat());
  }
}

const USER_COLUMNS = ['tenant_id', 'id', 'user_name', 'user_name_lower', 'external_id', 'display_name_lower', 'active', 'resource', 'version', 'created_at', 'last_modified'];
const EMAIL_COLUMNS = ['tenant_id', 'user_id', 'position', 'value_lower', 'type_lower', 'is_primary'];

/**
 * Rows for users (and user_emails when that table exists), in random id order like a directory filled
 * one SCIM create at a time. Sorting by id would seed twice as fast, but leaves the clustered index
 * packed in order, and that alone made the OFFSET jump to page 1,000 ~11x faster (88 ms vs 994 ms
 * p99, 2026-11-29): a flattering, unrealistic table.
 */
function userRows(tenantId, userNames, firstN) {
  const now = new Date();
  const users = [];
  const emails = [];
  userNames.forEach((userName, i) => {
    const id = randomUUID();
    const user = userAttributes(userName, firstN + i);
    users.push([tenantId, id, user.userName, user.userName.toLowerCase(), user.externalId, user.displayName.toLowerCase(), 1, JSON.stringify(user), 1, now, now]);
    user.emails.forEach((e, position) => emails.push([tenantId, id, position, e.value.toLowerCase(), e.type?.toLowerCase() ?? null, e.primary ? 1 : 0]));
  });
  return { users, emails, ids: users.map((r) => r[1]) };
}

/** Each table on its own pooled connection, so MariaDB works on two while node builds the next statement. */
async function insertUsers(pool, tables, rows) {
  await Promise.all([
    insertRows(pool, 'users', USER_COLUMNS, rows.users, USER_ROWS_PER_INSERT),
    tables.has('user_emails') ? insertRows(pool, 'user_emails', EMAIL_COLUMNS, rows.emails, USER_ROWS_PER_INSERT * 2) : undefined,
  ]);
}

/** tenant_counters (when present) recomputed from the rows, since the seeder bypasses the code that maintains it. */
async function syncCounters(db, tables, tenantId) {
  if (!tables.has('tenant_counters')) return;
  for (const [type, table] of [
    ['User', 'users'],
    ['Group', 'scim_groups'],
  ]) {
    await db.query(
      `INSERT INTO tenant_counters (tenant_id, resource_type, total) SELECT ?, ?, COUNT(*) FROM ${table} WHERE tenant_id = ?
       ON DUPLICATE KEY UPDATE total = VALUES(total)`,
      [tenantId, type, tenantId],
    );
  }
}

async function seedTenant(pool, tables, org, users, groupSize) {
  const rows = userRows(
    org.id,
    Array.from({ length: users }, (_, n) => userNameOf(org.slug, n)),
    0,
  );
  const groupId = randomUUID();
  const now = new Date();
  const members = rows.ids.slice(0, groupSize).map((id) => [org.id, groupId, id, 'User']);
  await Promise.all([
    insertUsers(pool, tables, rows),
    pool.query(
      `INSERT INTO scim_groups (tenant_id, id, display_name, display_name_lower, external_id, version, created_at, last_modified) VALUES (?, ?, ?, ?, ?, 1, ?, ?)`,
      [org.id, groupId, GROUP_NAME, GROUP_NAME.toLowerCase(), `00g${randomUUID().slice(0, 8)}`, now, now],
    ),
    insertRows(pool, 'group_members', ['tenant_id', 'group_id', 'member_id', 'member_type'], members, MEMBER_ROWS_PER_INSERT),
  ]);
  await syncCounters(pool, tables, org.id);
  return groupId;
}

/** Spare users (not in any group) for the member-add PATCHes; removed again at the end. */
async function seedSpares(db, tables, tenantId, orgSlug, count) {
  const tag = Date.now().toString(36);
  const names = Array.from({ length: count }, (_, i) => `${SPARE_PREFIX}${tag}-${i}@${orgSlug}.example`);
  const rows = userRows(tenantId, names, 0);
  await insertUsers(db, tables, rows);
  await syncCounters(db, tables, tenantId);
  return rows.ids;
}

async function dropSpares(db, tables, tenantId) {
  const [rows] = await db.query('SELECT id FROM users WHERE tenant_id = ? AND user_name_lower LIKE ?', [tenantId, `${SPARE_PREFIX}%`]);
  const ids = rows.map((r) => r.id);
  for (let i = 0; i < ids.length; i += 1000) {
    const batch = ids.slice(i, i + 1000);
    const marks = batch.map(() => '?').join(', ');
    await db.query(`DELETE FROM group_members WHERE tenant_id = ? AND member_id IN (${marks})`, [tenantId, ...batch]);
    if (tables.has('user_emails')) await db.query(`DELETE FROM user_emails WHERE tenant_id = ? AND user_id IN (${marks})`, [tenantId, ...batch]);
    await db.query(`DELETE FROM users WHERE tenant_id = ? AND id IN (${marks})`, [tenantId, ...batch]);
  }
  await syncCounters(db, tables, tenantId);
  return ids.length;
}

// ---------------------------------------------------------------- HTTP

function client(base, token) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' };
  /** One request; `check(status, body)` returns an error text or undefined. */
  return async function request(method, path, body, check) {
    const t0 = performance.now();
    try {
      const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(60_000) });
      const text = await res.text();
      const took = performance.now() - t0;
      const problem = check(res.status, text);
      return { ms: took, error: problem && `${method} ${path.slice(0, 80)} → ${problem}` };
    } catch (error) {
      return { ms: performance.now() - t0, error: `${method} ${path.slice(0, 80)} → ${error instanceof Error ? error.message : String(error)}` };
    }
  };
}

const expectStatus = (want) => (status, text) => (status === want ? undefined : `HTTP ${status} ${text.slice(0, 300)}`);

function expectList(totalResults, resources) {
  return (status, text) => {
    if (status !== 200) return `HTTP ${status} ${text.slice(0, 300)}`;
    const body = JSON.parse(text);
    if (totalResults !== undefined && body.totalResults !== totalResults) return `totalResults ${body.totalResults}, expected ${totalResults}`;
    if (resources !== undefined && body.Resources?.length !== resources) return `${body.Resources?.length ?? 0} resources, expected ${resources}`;
    return undefined;
  };
}

const patchBody = (operations) => ({ schemas: [PATCH_SCHEMA], Operations: operations });
const addMembers = (ids) => patchBody([{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }]);
/** Okta's single-member remove (RFC 7644 §3.5.2.2 value filter). */
const removeMember = (id) => patchBody([{ op: 'remove', path: `members[value eq "${id}"]` }]);
/** Entra's list remove (libs/scim/patch fixtures/entra/group-remove-members.json). */
const removeMembers = (ids) => patchBody([{ op: 'remove', path: 'members', value: ids.map((value) => ({ value })) }]);

/**
 * Runs `ops` (each `(i) => {ms, error}`) WARMUP times, then `samples` times in alternating rounds of ROUND:
 * A×10 B×10, then B×10 A×10, … so both sides see the same machine.
 */
async function interleaved(ops, samples) {
  for (let i = 0; i < WARMUP; i++) for (const op of ops) await op.fn(-1 - i);
  const results = ops.map(() => ({ latencies: [], errors: 0, firstError: undefined }));
  let done = 0;
  for (let round = 0; done < samples; round++) {
    const n = Math.min(ROUND, samples - done);
    const order = ops.map((_, k) => k);
    if (round % 2) order.reverse();
    for (const k of order) {
      for (let j = 0; j < n; j++) {
        const r = await ops[k].fn(done + j);
        if (r.error) {
          results[k].errors++;
          results[k].firstError ??= r.error;
        } else results[k].latencies.push(r.ms);
      }
    }
    done += n;
  }
  return results;
}

// ---------------------------------------------------------------- organisations

async function createOrg(admin, infra, slug) {
  const org = JSON.parse((await admin(infra, 'dev', ['org:create', '--slug', slug, '--name', `SCIM bench ${slug}`, '--plan', 'enterprise'])).trim());
  return { id: org.id, slug };
}

async function tokenFor(admin, infra, slug) {
  return (await admin(infra, 'dev', ['token:create', '--org', slug, '--label', 'bench scim'])).trim();
}

/** A reused tenant: its org id from the auth schema, its group and size from the directory schema. */
async function findSeeded(db, infra, slug, users) {
  const [orgs] = await db.query(`SELECT id FROM \`${infra['AUTH_DB_NAME']}\`.organisations WHERE slug = ?`, [slug]);
  if (!orgs[0]) throw new Error(`--reuse: no organisation "${slug}"`);
  const id = orgs[0].id;
  const [groups] = await db.query('SELECT id FROM scim_groups WHERE tenant_id = ? AND display_name_lower = ?', [id, GROUP_NAME.toLowerCase()]);
  const [[{ total }]] = await db.query('SELECT COUNT(*) AS total FROM users WHERE tenant_id = ? AND user_name_lower NOT LIKE ?', [id, `${SPARE_PREFIX}%`]);
  if (!groups[0] || Number(total) !== users) throw new Error(`--reuse: "${slug}" is not a seeded bench tenant (${total} users, group ${groups[0] ? 'found' : 'missing'})`);
  return { org: { id, slug }, groupId: groups[0].id };
}

// ---------------------------------------------------------------- the bench

export async function scimBench({ admin, infraEnv, PORTS, reuse, samples = 300 }) {
  const gateway = `http://127.0.0.1:${PORTS.dev['scim-gateway']}`;
  const up = await fetch(`${gateway}/readyz`, { signal: AbortSignal.timeout(3_000) }).then(
    (r) => r.ok,
    () => false,
  );
  if (!up) {
    console.error(`scim bench: nothing ready at ${gateway}/readyz.
usage: start the dev stack in another terminal (\`npm start\`, wait for "Demo token"), then
       npm run bench -- scim [--reuse <slug>] [--samples N]
       --reuse <slug>  measure the tenants "<slug>-small" / "<slug>-large" seeded by an earlier run
       --samples N     measured requests per operation (default 300, after ${WARMUP} warm-up each)`);
    process.exit(2);
  }
  const infra = infraEnv('dev');
  const db = mysql.createPool({
    connectionLimit: 4,
    host: infra['DB_HOST'] ?? '127.0.0.1',
    port: Number(infra['DB_PORT'] ?? 3306),
    user: process.env['MYSQL_ROOT_USER'] ?? 'root',
    password: process.env['MYSQL_ROOT_PASSWORD'] ?? '',
    database: infra['DIRECTORY_DB_NAME'],
    timezone: 'Z',
    supportBigNumbers: true,
  });
  const [[{ v: dbVersion }]] = await db.query('SELECT VERSION() AS v');
  const cpu = os.cpus();
  console.log(
    `machine: ${cpu.length} × ${cpu[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, MySQL ${dbVersion}; ` +
      `${new Date().toISOString()}; ${samples} samples per operation after ${WARMUP} warm-up, rounds of ${ROUND} alternating`,
  );

  const tables = await tablesOf(db);
  await checkColumns(db, 'users', USER_COLUMNS);
  await checkColumns(db, 'group_members', ['tenant_id', 'group_id', 'member_id', 'member_type']);
  await checkColumns(db, 'scim_groups', ['tenant_id', 'id', 'display_name', 'display_name_lower', 'external_id', 'version', 'created_at', 'last_modified']);
  if (tables.has('user_emails')) await checkColumns(db, 'user_emails', EMAIL_COLUMNS);

  let small;
  let large;
  let seedMs;
  const slug = reuse ?? `scim-bench-${Date.now().toString(36)}`;
  if (reuse) {
    small = await findSeeded(db, infra, `${slug}-small`, SMALL_USERS);
    large = await findSeeded(db, infra, `${slug}-large`, LARGE_USERS);
    for (const t of [small, large]) await dropSpares(db, tables, t.org.id); // left by an interrupted run
    console.log(`reusing ${slug}-small and ${slug}-large (no seeding)`);
  } else {
    const smallOrg = await createOrg(admin, infra, `${slug}-small`);
    const largeOrg = await createOrg(admin, infra, `${slug}-large`);
    const t0 = performance.now();
    small = { org: smallOrg, groupId: await seedTenant(db, tables, smallOrg, SMALL_USERS, SMALL_GROUP) };
    const t1 = performance.now();
    large = { org: largeOrg, groupId: await seedTenant(db, tables, largeOrg, LARGE_USERS, LARGE_USERS) };
    seedMs = performance.now() - t1;
    console.log(
      `seeded ${slug}-small (${SMALL_USERS} users, ${SMALL_GROUP}-member group) in ${((t1 - t0) / 1000).toFixed(1)} s and ` +
        `${slug}-large (${LARGE_USERS} users, ${LARGE_USERS}-member group) in ${(seedMs / 1000).toFixed(1)} s ` +
        `(multi-row INSERTs, ${USER_ROWS_PER_INSERT} users / ${MEMBER_ROWS_PER_INSERT} members per statement; tables: ${['users', 'scim_groups', 'group_members', 'user_emails', 'tenant_counters'].filter((t) => tables.has(t)).join(', ')})`,
    );
    console.log(`  reuse with: npm run bench -- scim --reuse ${slug}`);
  }
  const [tokenSmall, tokenLarge] = await Promise.all([tokenFor(admin, infra, small.org.slug), tokenFor(admin, infra, large.org.slug)]);
  const base = `${gateway}/scim/v2`;
  const reqSmall = client(base, tokenSmall);
  const reqLarge = client(base, tokenLarge);
  const figures = {};

  try {
    // (1) GET /Users?filter=userName eq "…" on random existing users.
    const filterOp = (req, org, users) => () => {
      const userName = userNameOf(org.slug, Math.floor(Math.random() * users));
      return req('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, undefined, expectList(1, 1));
    };
    const [fs, fl] = await interleaved([{ fn: filterOp(reqSmall, small.org, SMALL_USERS) }, { fn: filterOp(reqLarge, large.org, LARGE_USERS) }], samples);
    figures.filterSmall = line(`GET /Users?filter=userName eq, ${SMALL_USERS} users`, fs);
    figures.filterLarge = line(`GET /Users?filter=userName eq, ${LARGE_USERS} users`, fl);

    // (4) paging the large tenant. The directory remembers, per listing, the keyset cursor for the page
    // after each one it served (apps/directory/src/shared/paging.ts, 15 min), so page 1,000 costs
    // differently when jumped to (cursor miss → OFFSET 99,900) and when reached by paging through, as
    // Okta's import and Entra's sync do. Measured both ways: the jump first, while no cursor exists.
    const lastStart = LARGE_USERS - PAGE + 1;
    const firstPage = () => reqLarge('GET', `/Users?startIndex=1&count=${PAGE}`, undefined, expectList(LARGE_USERS, PAGE));
    const lastPage = () => reqLarge('GET', `/Users?startIndex=${lastStart}&count=${PAGE}`, undefined, expectList(LARGE_USERS, PAGE));
    if (reuse) console.log('  (reused tenant: the "jump" figures are a cursor miss only if this directory has not served its page 999 in the last 15 min)');
    const [jf, jl] = await interleaved([{ fn: firstPage }, { fn: lastPage }], samples);
    figures.jumpFirst = line(`GET /Users?startIndex=1&count=${PAGE}, ${LARGE_USERS} users (jump)`, jf);
    figures.jumpLast = line(`GET /Users?startIndex=${lastStart}&count=${PAGE}, ${LARGE_USERS} users (jump, no cursor)`, jl);
    const walk = { latencies: [], errors: 0, firstError: undefined };
    const w0 = performance.now();
    for (let start = 1; start <= LARGE_USERS; start += PAGE) {
      const r = await reqLarge('GET', `/Users?startIndex=${start}&count=${PAGE}`, undefined, expectList(LARGE_USERS, PAGE));
      if (r.error) {
        walk.errors++;
        walk.firstError ??= r.error;
      } else walk.latencies.push(r.ms);
    }
    figures.walkMs = performance.now() - w0;
    figures.walk = line(`full walk, ${LARGE_USERS / PAGE} pages of ${PAGE} in ${(figures.walkMs / 1000).toFixed(1)} s, per page`, walk);
    const [sf, sl] = await interleaved([{ fn: firstPage }, { fn: lastPage }], samples);
    figures.seqFirst = line(`GET /Users?startIndex=1&count=${PAGE}, ${LARGE_USERS} users (after the walk)`, sf);
    figures.seqLast = line(`GET /Users?startIndex=${lastStart}&count=${PAGE}, ${LARGE_USERS} users (after the walk: keyset cursor)`, sl);

    // (2) PATCH adding one fresh user; each add is undone (unmeasured) so the groups stay at 10 and 100,000.
    const singles = WARMUP + samples;
    const t0 = performance.now();
    const sparesSmall = await seedSpares(db, tables, small.org.id, small.org.slug, singles);
    const sparesLarge = await seedSpares(db, tables, large.org.id, large.org.slug, singles + BULK_MEMBERS * BULK_REPS);
    console.log(`seeded ${sparesSmall.length + sparesLarge.length} spare users (not in any group) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const addOp = (req, groupId, spares) => {
      let next = 0;
      return async () => {
        const id = spares[next++];
        const r = await req('PATCH', `/Groups/${groupId}`, addMembers([id]), expectStatus(204));
        const undo = await req('PATCH', `/Groups/${groupId}`, removeMember(id), expectStatus(204));
        return { ms: r.ms, error: r.error ?? (undo.error && `undo: ${undo.error}`) };
      };
    };
    const [as, al] = await interleaved([{ fn: addOp(reqSmall, small.groupId, sparesSmall) }, { fn: addOp(reqLarge, large.groupId, sparesLarge.slice(0, singles)) }], samples);
    figures.addSmall = line(`PATCH add 1 member, ${SMALL_GROUP}-member group`, as);
    figures.addLarge = line(`PATCH add 1 member, ${LARGE_USERS}-member group`, al);

    // (3) one PATCH adding 1,000 members to the 100,000-member group (then removed again, also timed).
    const bulkAdd = { latencies: [], errors: 0, firstError: undefined };
    const bulkRemove = { latencies: [], errors: 0, firstError: undefined };
    for (let rep = 0; rep < BULK_REPS; rep++) {
      const ids = sparesLarge.slice(singles + rep * BULK_MEMBERS, singles + (rep + 1) * BULK_MEMBERS);
      for (const [acc, body] of [
        [bulkAdd, addMembers(ids)],
        [bulkRemove, removeMembers(ids)],
      ]) {
        const r = await reqLarge('PATCH', `/Groups/${large.groupId}`, body, expectStatus(204));
        if (r.error) {
          acc.errors++;
          acc.firstError ??= r.error;
        } else acc.latencies.push(r.ms);
      }
    }
    figures.bulkAdd = line(`PATCH add ${BULK_MEMBERS} members in one request, ${LARGE_USERS}-member group`, bulkAdd);
    figures.bulkRemove = line(`PATCH remove ${BULK_MEMBERS} members in one request, ${LARGE_USERS}-member group (info)`, bulkRemove);
  } finally {
    for (const t of [small, large]) await dropSpares(db, tables, t.org.id);
    await db.end();
  }

  const ratio = (a, b) => a / b;
  const checks = [
    ['filter userName eq: p99 @100k users / p99 @1k users', ratio(figures.filterLarge.p99, figures.filterSmall.p99), 1.3, `${ms(figures.filterLarge.p99)} / ${ms(figures.filterSmall.p99)}`],
    ['PATCH add 1 member: p99 @100k group / p99 @10 group', ratio(figures.addLarge.p99, figures.addSmall.p99), 1.5, `${ms(figures.addLarge.p99)} / ${ms(figures.addSmall.p99)}`],
    [`PATCH ${BULK_MEMBERS} members: max of ${BULK_REPS} / 2 s`, ratio(figures.bulkAdd.max, 2000), 1, `${ms(figures.bulkAdd.max)} / 2000ms`],
    ['paging count=100, paging through: p99 last / first page', ratio(figures.seqLast.p99, figures.seqFirst.p99), 2, `${ms(figures.seqLast.p99)} / ${ms(figures.seqFirst.p99)}`],
    ['paging count=100, jump to last page: p99 last / first', ratio(figures.jumpLast.p99, figures.jumpFirst.p99), 2, `${ms(figures.jumpLast.p99)} / ${ms(figures.jumpFirst.p99)}`],
    ...(seedMs === undefined ? [] : [[`seeding 100k users: time / ${SEED_LIMIT_MS / 1000} s`, ratio(seedMs, SEED_LIMIT_MS), 1, `${(seedMs / 1000).toFixed(1)}s / ${SEED_LIMIT_MS / 1000}s`]]),
  ];
  console.log('\nissue 3 targets');
  for (const [label, r, limit, detail] of checks) {
    const pass = Number.isFinite(r) && r <= limit;
    console.log(`  ${pass ? 'PASS' : 'FAIL'}  ${label.padEnd(56)} ratio ${Number.isFinite(r) ? r.toFixed(2) : 'n/a'} (limit ${limit})  ${detail}`);
  }
  if (seedMs === undefined) console.log('  (seeding not measured: --reuse)');
}
