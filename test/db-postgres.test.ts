// PostgreSQL as the database: start-up migrations, one-line start-up failures, storage faults
// from real server errors (503 + Retry-After on SCIM, readiness), and the few filters Prisma
// spells differently per provider. Runs on the PostgreSQL pass (TEST_DATABASE_URL).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import t from 'tap';
import { migrate } from '../src/db/migrate.ts';
import { createDb, checkStorage } from '../src/db/client.ts';
import { PG_MIGRATIONS_DIR } from '../src/db/pg-migrate.ts';
import { storageFault } from '../src/db/storage-errors.ts';
import { isUniqueViolation, toDbError, UniqueViolation } from '../src/db/errors.ts';
import { createTenant } from '../src/db/tenants.ts';
import { createSecretToken } from '../src/db/secret-tokens.ts';
import { listAudit } from '../src/db/audit.ts';
import { StartupError } from '../src/startup-error.ts';
import { freePort, startServer } from './helpers/server.ts';
import { NODE, ROOT, startProcess } from './helpers/spawned-server.ts';
import { PG_BASE_URL, testDatabase, withSchema } from './helpers/test-db.ts';

const skip = PG_BASE_URL ? false : 'PostgreSQL only: set TEST_DATABASE_URL (.ci/run does)';
const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';

function scratch(t: { teardown(fn: () => unknown): void }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'securelogin-pg-'));
  const database = testDatabase(dir);
  t.teardown(async () => {
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return database;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const u = new URL(PG_BASE_URL!);
  const c = new pg.Client({ host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: u.pathname.slice(1) });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Every write to a table of `schema` fails with SQLSTATE `code`, raised by the server itself, as
 * a read-only standby (25006) or a full disk (53100) would; deterministic, and confined to the
 * schema, unlike a server-wide setting. Returns the undo. */
async function failWrites(schema: string, code: string): Promise<() => Promise<void>> {
  const tables = await admin(async (c) => {
    await c.query(`CREATE OR REPLACE FUNCTION "${schema}".fail_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'write refused (test)' USING ERRCODE = '${code}'; END $$`);
    const names = (await c.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'", [schema])).rows.map((r) => r.table_name as string);
    for (const n of names) await c.query(`CREATE TRIGGER fail_write BEFORE INSERT OR UPDATE OR DELETE ON "${schema}"."${n}" FOR EACH STATEMENT EXECUTE FUNCTION "${schema}".fail_write()`);
    return names;
  });
  return () => admin(async (c) => {
    for (const n of tables) await c.query(`DROP TRIGGER fail_write ON "${schema}"."${n}"`);
  });
}

const withParam = (url: string, k: string, v: string) => {
  const u = new URL(url);
  u.searchParams.set(k, v);
  return u.toString();
};

t.test('migrations: applied once with Prisma checksums, concurrent starts serialise', { skip }, async (t) => {
  const { url } = scratch(t);
  const expected = fs.readdirSync(PG_MIGRATIONS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  // Four instances starting at once: exactly one applies each migration, the others wait for it.
  const results = await Promise.all([1, 2, 3, 4].map(() => migrate(url)));
  t.same(results.flat().sort(), expected, 'every migration applied exactly once across four concurrent starts');
  t.same(await migrate(url), [], 'a restart applies nothing');
  const schema = new URL(url).searchParams.get('schema')!;
  const rows = await admin((c) => c.query(`SELECT migration_name, checksum, finished_at FROM "${schema}"."_prisma_migrations" ORDER BY migration_name`));
  t.same(
    rows.rows.map((r) => [r.migration_name, r.checksum]),
    expected.map((n) => [n, crypto.createHash('sha256').update(fs.readFileSync(path.join(PG_MIGRATIONS_DIR, n, 'migration.sql'))).digest('hex')]),
    'recorded with the sha256 of each migration file, as prisma migrate does',
  );
  t.ok(rows.rows.every((r) => r.finished_at instanceof Date), 'and finished');
  const tables = await admin((c) => c.query('SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1', [schema]));
  t.ok(tables.rows[0].n > 20, `tables created in the schema of the URL (${tables.rows[0].n})`);
});

t.test('unusable PostgreSQL URLs: one StartupError line each, password never shown', { skip }, async (t) => {
  const base = new URL(PG_BASE_URL!);
  const closedPort = await freePort();
  const cases: [string, string, RegExp][] = [
    ['no database named', `postgresql://u:pw-secret-1@${base.host}/`, /must name a host and a database/],
    ['connection refused', `postgresql://u:pw-secret-1@127.0.0.1:${closedPort}/db`, /connection refused; is the server running/],
    ['wrong password', withSchema(`postgresql://${base.username}:pw-secret-1@${base.host}${base.pathname}`, 'x'), /refused the credentials.*correct the user and password/],
    ['missing database', `postgresql://${base.username}:${base.password}@${base.host}/no_such_db_${process.pid}`, /does not exist; create it \(createdb\)/],
    ['bad schema name', withSchema(PG_BASE_URL!, 'a;drop'), /schema must be a plain identifier/],
  ];
  for (const [what, url, re] of cases) {
    const err = await migrate(url).then(
      () => null,
      (e: unknown) => e,
    );
    t.ok(err instanceof StartupError, `${what}: StartupError`);
    t.match((err as Error).message, re, what);
    t.equal((err as Error).message.split('\n').length, 1, `${what}: one line`);
    t.notMatch((err as Error).message, /pw-secret-1/, `${what}: no password`);
  }
});

t.test('the real server on PostgreSQL: serves with DATABASE_URL alone; wrong credentials exit non-zero with one line', { skip }, async (t) => {
  const database = scratch(t);
  const base = { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', HOST: '127.0.0.1', ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', ARGON2_PARALLELISM: '1' };
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'securelogin-pg-proc-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const s = startProcess(t, { command: NODE, args: ['src/server.ts'], env: { ...base, PORT: String(port), DATABASE_URL: database.url, DATA_ENCRYPTION_KEY: 'b'.repeat(64) }, port, cwd: ROOT });
  const line = await s.waitForLine(/migrationsApplied/);
  const started = JSON.parse(line) as { database: string; migrationsApplied: string[] };
  t.ok(started.migrationsApplied.length > 0, 'start-up log lists the migrations it applied');
  t.notMatch(started.database, new RegExp(decodeURIComponent(new URL(PG_BASE_URL!).password)), 'and names the database without its password');
  await s.waitForLine(/publicUrl/);
  const ready = await fetch(`${s.url}/readyz`);
  t.equal(ready.status, 200, '/readyz on PostgreSQL');
  s.proc.kill('SIGTERM');
  await s.exited;

  const bad = new URL(database.url);
  bad.password = 'wrong-password-7';
  const port2 = await freePort();
  const f = startProcess(t, { command: NODE, args: ['src/server.ts'], env: { ...base, PORT: String(port2), DATABASE_URL: bad.toString() }, port: port2, cwd: ROOT });
  const exit = await f.exited;
  t.not(exit.code, 0, 'non-zero exit');
  const err = f.stderr.filter((l) => l.trim());
  t.equal(err.length, 1, `one line on stderr: ${err.join(' | ')}`);
  t.match(err[0], /refused the credentials/);
  t.notMatch(err.join('\n'), /wrong-password-7/, 'the password is not printed');
});

t.test('server errors of PostgreSQL are storage faults; readiness follows them and recovers', { skip }, async (t) => {
  const { url } = scratch(t);
  await migrate(url);
  // One pooled connection, so a session setting made through it applies to every later query.
  const db = createDb(withParam(url, 'connection_limit', '1'));
  t.teardown(() => db.$disconnect());
  await createTenant(db, { domain: 'acme.test', name: 'Acme' });
  t.same(await checkStorage(db, 1000), { ok: true }, 'ready');

  const schema = new URL(url).searchParams.get('schema')!;
  for (const [code, fault] of [['25006', 'readonly'], ['53100', 'full']] as const) {
    const undo = await failWrites(schema, code);
    const err = await createTenant(db, { domain: `${fault}.test`, name: fault }).catch((e: unknown) => e);
    t.equal(storageFault(err), fault, `SQLSTATE ${code} from the server is the ${fault} fault`);
    const state = await checkStorage(db, 1000);
    t.equal(state.ok, false, 'not ready after a failed write, though SELECT 1 answers');
    t.equal(state.reason, fault, 'and says why');
    await undo();
    await createTenant(db, { domain: `${fault}-after.test`, name: fault });
    t.same(await checkStorage(db, 1000), { ok: true }, 'ready again once a write succeeds');
  }

  await db.$executeRawUnsafe("SET lock_timeout = '50ms'");
  const locked = await admin(async (c) => {
    await c.query('BEGIN');
    await c.query(`LOCK TABLE "${schema}"."Tenant" IN ACCESS EXCLUSIVE MODE`);
    try {
      return await createTenant(db, { domain: 'locked.test', name: 'L' }).catch((e: unknown) => e);
    } finally {
      await c.query('ROLLBACK');
    }
  });
  t.equal(storageFault(locked), 'busy', 'a lock time-out (SQLSTATE 55P03) is the busy fault');
  await db.$executeRawUnsafe("SET lock_timeout = 0");

  // The server ends our connection mid-statement (an administrator, a failover): that statement
  // fails as unreachable and the pool reconnects for the next one.
  const pid = ((await db.$queryRawUnsafe('SELECT pg_backend_pid() AS pid')) as { pid: number }[])[0]!.pid;
  const sleeping = db.$queryRawUnsafe('SELECT pg_sleep(10)').then(
    () => null,
    (e: unknown) => e,
  );
  await admin(async (c) => {
    // Terminate only once the statement is running on that connection.
    while ((await c.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND query LIKE '%pg_sleep%'", [pid])).rowCount === 0) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await c.query('SELECT pg_terminate_backend($1)', [pid]);
  });
  const gone = await sleeping;
  t.equal(storageFault(gone), 'unreachable', 'a terminated connection is the unreachable fault');
  t.equal(await db.tenant.count(), 3, 'the next statement runs on a new connection');

  t.equal(storageFault({ kind: 'postgres', code: '23505', severity: 'ERROR', message: 'dup' }), null, 'a constraint violation is not a storage fault');
  t.equal(storageFault({ kind: 'postgres', code: '53100', severity: 'ERROR', message: 'disk full' }), 'full', 'disk full (53100)');
  t.equal(storageFault({ kind: 'postgres', code: '57P01', severity: 'FATAL', message: 'admin shutdown' }), 'unreachable', 'admin shutdown (57P01)');
  t.equal(storageFault({ kind: 'postgres', code: '57014', severity: 'ERROR', message: 'statement timeout' }), 'busy', 'statement time-out (57014)');
});

t.test('SCIM on a read-only PostgreSQL answers 503 with Retry-After, not 500', { skip }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'securelogin-pg-ro-'));
  const database = testDatabase(dir);
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const server = await startServer(t, { DATABASE_URL: database.url });
  t.teardown(() => database.drop());
  const tenant = await createTenant(server.app.db, { domain: 'acme.test', name: 'Acme' });
  const { value } = await createSecretToken(server.app.db, { tenantId: tenant.id, name: 'ro', expiresInDays: null, createdBy: null });
  const post = (userName: string) =>
    fetch(`${server.url}/scim/v2/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${value}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: [USER_URN], userName }),
    });
  t.equal((await post('before@acme.test')).status, 201, 'writes work');
  const undo = await failWrites(new URL(database.url).searchParams.get('schema')!, '25006');
  const res = await post('during@acme.test');
  t.equal(res.status, 503, '503 while the server is read-only');
  t.equal(res.headers.get('retry-after'), '30', 'Retry-After for a read-only database');
  t.equal(res.headers.get('content-type'), 'application/scim+json; charset=utf-8');
  t.equal(((await res.json()) as { status: string }).status, '503', 'status as a string');
  const ready = await fetch(`${server.url}/readyz`);
  t.equal(ready.status, 503, '/readyz reports it');
  await undo();
  t.equal((await post('after@acme.test')).status, 201, 'writes work again');
});

t.test('neutral errors: a unique violation names its columns on both model and raw writes', { skip }, async (t) => {
  const { url } = scratch(t);
  await migrate(url);
  const db = createDb(url);
  t.teardown(() => db.$disconnect());
  await db.tenant.create({ data: { id: 't1', domain: 'a', domainKey: 'a', name: 'A' } });
  const model = await db.tenant.create({ data: { id: 't2', domain: 'a', domainKey: 'a', name: 'A' } }).catch((e: unknown) => e);
  t.ok(isUniqueViolation(model), 'model write');
  const mapped = toDbError(model);
  t.ok(mapped instanceof UniqueViolation, 'mapped to UniqueViolation');
  t.same((mapped as UniqueViolation).fields, ['domainKey'], 'naming the column');
  const raw = await db.$executeRawUnsafe(`INSERT INTO "Tenant" ("id", "domain", "domainKey", "name", "updatedAt") VALUES ('t3', 'a', 'a', 'A', now())`).catch((e: unknown) => e);
  t.ok(isUniqueViolation(raw), 'raw write');
});

t.test('audit search is case-insensitive on PostgreSQL as on SQLite', { skip }, async (t) => {
  const { url } = scratch(t);
  await migrate(url);
  const db = createDb(url);
  t.teardown(() => db.$disconnect());
  const tenant = await createTenant(db, { domain: 'acme.test', name: 'Acme' });
  await db.auditEvent.create({ data: { tenantId: tenant.id, actor: 'Alice Admin', event: 'manager.create', target: 'Bob_Viewer', outcome: 'success' } });
  for (const s of ['alice', 'ALICE ADMIN', 'bob_viewer', 'MANAGER.']) {
    t.equal((await listAudit(db, tenant.id, { search: s, page: 1, pageSize: 10 })).total, 1, `"${s}" finds it`);
  }
  t.equal((await listAudit(db, tenant.id, { search: 'carol', page: 1, pageSize: 10 })).total, 0, 'and only it');
});

t.test('a NUL character (PostgreSQL text cannot hold one) is not a 500: not found, or stored replaced', { skip }, async (t) => {
  const server = await startServer(t);
  const tenant = await createTenant(server.app.db, { domain: 'acme.test', name: 'Acme' });
  const { value } = await createSecretToken(server.app.db, { tenantId: tenant.id, name: 'nul', expiresInDays: null, createdBy: null });
  const headers = { authorization: `Bearer ${value}`, 'content-type': 'application/scim+json' };
  t.equal((await fetch(`${server.url}/scim/v2/Users/%00`, { headers })).status, 404, 'an id with a NUL is not found');
  const created = await fetch(`${server.url}/scim/v2/Users`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ schemas: [USER_URN], userName: 'nul\u0000name@acme.test', displayName: 'a\u0000b' }),
  });
  t.equal(created.status, 201, 'a userName with a NUL is stored');
  const list = (await (await fetch(`${server.url}/scim/v2/Users?filter=${encodeURIComponent('userName eq "nul\u0000name@acme.test"')}`, { headers })).json()) as { totalResults: number };
  t.equal(list.totalResults, 1, 'and found again by the same value');
  // The activity rows of these requests (one holds the NUL in its path) are flushed each second;
  // a batch the database refused would be retried forever and never appear.
  let rows = 0;
  for (let i = 0; i < 100 && rows < 2; i++) {
    rows = await server.app.db.activity.count({ where: { tenantId: tenant.id } });
    if (rows < 2) await new Promise((r) => setTimeout(r, 100));
  }
  t.ok(rows >= 2, `the activity rows (the 404 with the NUL in its path, the create) are written (${rows})`);
});
